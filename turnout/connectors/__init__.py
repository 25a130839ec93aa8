"""One module (or package) per service, each a thin class over turnout.http or a vendor client."""
