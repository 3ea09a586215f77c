import pytest
from django.core.exceptions import ValidationError

from tolk.reference.validators import (
    is_valid_org_number,
    validate_municipality,
    validate_org_number,
)


@pytest.mark.parametrize(
    "number",
    ["974760673", "983887457", "971524960", "923609016"],  # Brønnøysund, NAV, known public bodies
)
def test_real_organisation_numbers_pass_mod11(number: str) -> None:
    assert is_valid_org_number(number)


@pytest.mark.parametrize(
    "number",
    ["974760674", "97476067", "9747606730", "97476067a", "", "000000001"],
)
def test_wrong_check_digit_length_or_characters_fail(number: str) -> None:
    assert not is_valid_org_number(number)
    with pytest.raises(ValidationError) as info:
        validate_org_number(number)
    assert info.value.code == "invalid_org_number"


def test_check_digit_ten_is_never_valid() -> None:
    # For 10000013 the weighted sum leaves remainder 1, so the check digit would be 10.
    assert not any(is_valid_org_number(f"10000013{d}") for d in range(10))


@pytest.mark.parametrize("value", ["0301", "4601", "5001"])
def test_municipality_numbers(value: str) -> None:
    validate_municipality(value)


@pytest.mark.parametrize("value", ["301", "9999", "abcd", "0000"])
def test_bad_municipality_numbers(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_municipality(value)
