"""Word lists the Mobilize generator draws from: plausible organizing records, all fake."""

from __future__ import annotations

GIVEN_NAMES = (
    "Rosa", "Marcus", "Aisha", "Tomás", "Priya", "Jamal", "Elena", "Kenji", "Fatima", "Diego",
    "Grace", "Omar", "Lucía", "Andre", "Mei", "Samuel", "Nadia", "Caleb", "Imani", "Wei",
    "Hannah", "Luis", "Keisha", "Arjun", "Sofia", "Darnell", "Yuki", "Gabriel", "Amara", "Noah",
)  # fmt: skip

FAMILY_NAMES = (
    "Quintero", "Johnson", "Okafor", "Nguyen", "Patel", "Williams", "García", "Kim", "Haddad",
    "Brown", "Rossi", "Chen", "Martínez", "Davis", "Singh", "López", "Walker", "Yamamoto",
    "Hernández", "Robinson", "Ali", "Clark", "Moreno", "Lewis", "Kowalski", "Hall", "Diaz",
)  # fmt: skip

EMAIL_DOMAINS = ("example.org", "example.com", "example.net")

ORGANIZATION_NAMES = (
    ("Eastside Organizing Project", "eastside", "TX", "INDEPENDENT"),
    ("Riverside for Fair Housing", "riverside-housing", "CA", "C4"),
    ("Neighbors United", "neighbors-united", "PA", "C3"),
    ("Valley Voter Alliance", "valley-voters", "AZ", "COORDINATED"),
    ("Lakes Climate Action", "lakes-climate", "MI", "C4"),
    ("Harbor Workers Network", "harbor-workers", "WA", "UNION"),
    ("Piedmont Youth Vote", "piedmont-youth", "NC", "C3"),
    ("Prairie Families First", "prairie-families", "KS", "PAC"),
)  # fmt: skip

# (locality, region, postal_code, latitude, longitude, congressional, state_leg, state_senate)
PLACES = (
    ("Austin", "TX", "78702", 30.2620, -97.7140, "35", "46", "14"),
    ("San Antonio", "TX", "78205", 29.4246, -98.4951, "20", "123", "26"),
    ("Oakland", "CA", "94612", 37.8044, -122.2712, "12", "18", "7"),
    ("Fresno", "CA", "93721", 36.7378, -119.7871, "21", "31", "14"),
    ("Philadelphia", "PA", "19107", 39.9526, -75.1652, "3", "182", "1"),
    ("Pittsburgh", "PA", "15222", 40.4406, -79.9959, "12", "19", "42"),
    ("Phoenix", "AZ", "85004", 33.4484, -112.0740, "3", "26", "26"),
    ("Detroit", "MI", "48226", 42.3314, -83.0458, "13", "8", "3"),
    ("Seattle", "WA", "98104", 47.6062, -122.3321, "7", "43", "43"),
    ("Durham", "NC", "27701", 35.9940, -78.8986, "4", "29", "20"),
    ("Wichita", "KS", "67202", 37.6872, -97.3301, "4", "103", "29"),
)  # fmt: skip

STREETS = (
    "Grove Blvd", "E 7th St", "Telegraph Ave", "Market St", "Main St", "Liberty Ave",
    "Central Ave", "Woodward Ave", "Pine St", "Chapel Hill St", "Douglas Ave",
)  # fmt: skip

VENUES = (
    "Public Library", "Union Hall", "Community Center", "Campaign Office", "Church Hall",
    "Coffee Shop", "Park Pavilion", "Recreation Center",
)  # fmt: skip

EVENT_TYPES = (
    "CANVASS", "PHONE_BANK", "TEXT_BANK", "MEETING", "COMMUNITY", "FUNDRAISER", "MEET_GREET",
    "HOUSE_PARTY", "VOTER_REG", "TRAINING", "FRIEND_TO_FRIEND_OUTREACH", "ADVOCACY_CALL", "OTHER",
)  # fmt: skip

EVENT_TITLES = {
    "CANVASS": "Neighborhood Canvass",
    "PHONE_BANK": "Evening Phone Bank",
    "TEXT_BANK": "Text Bank Night",
    "MEETING": "Monthly Volunteer Meeting",
    "COMMUNITY": "Community Potluck",
    "FUNDRAISER": "Grassroots Fundraiser",
    "MEET_GREET": "Meet the Candidate",
    "HOUSE_PARTY": "House Party",
    "VOTER_REG": "Voter Registration Drive",
    "TRAINING": "New Volunteer Training",
    "FRIEND_TO_FRIEND_OUTREACH": "Friend-to-Friend Outreach",
    "ADVOCACY_CALL": "Call Your Legislator",
    "OTHER": "Volunteer Day",
}

TAGS = ((1, "Housing"), (2, "Climate"), (3, "Voting Rights"), (4, "Labor"), (5, "Youth"))

TIMEZONES = {
    "TX": "America/Chicago", "KS": "America/Chicago", "CA": "America/Los_Angeles",
    "WA": "America/Los_Angeles", "PA": "America/New_York", "MI": "America/Detroit",
    "NC": "America/New_York", "AZ": "America/Phoenix",
}  # fmt: skip

UTM_SOURCES = ("email", "facebook", "twitter", "sms", "website")
CUSTOM_FIELDS = ((31, "tshirt_size", ("S", "M", "L", "XL")), (32, "needs_childcare", None))

PRIVATE_ADDRESS = "This event’s address is private. Sign up for more details"

ENUMS = {
    "event_type": list(EVENT_TYPES),
    "visibility": ["PUBLIC", "PRIVATE"],
    "accessibility_status": ["ACCESSIBLE", "NOT_ACCESSIBLE", "NOT_SURE"],
    "approval_status": ["APPROVED", "PENDING_APPROVAL", "REJECTED"],
    "timezone": sorted(set(TIMEZONES.values())),
    "sms_opt_in": ["OPT_IN", "UNSPECIFIED"],
    "transactional_sms_opt_in": ["OPT_IN", "UNSPECIFIED"],
}
