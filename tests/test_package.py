"""The public surface of the package."""

import turnout


def test_public_names_are_listed():
    assert turnout.__all__ == sorted(turnout.__all__)
    assert "Table" in turnout.__all__
    assert "TurnoutError" in turnout.__all__


def test_unknown_name_raises_attribute_error():
    try:
        turnout.NoSuchThing  # noqa: B018
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("expected AttributeError")
