from app.accounts import national_id


def _with_check_digit(stem: str) -> str:
    total = sum(int(stem[i]) * (13 - i) for i in range(12))
    return stem + str((11 - total % 11) % 10)


def test_valid_number_with_spaces_and_dashes():
    number = _with_check_digit("110370012345")
    assert national_id.is_valid(number)
    dashed = f"{number[0]}-{number[1:5]}-{number[5:10]}-{number[10:12]}-{number[12]}"
    assert national_id.is_valid(dashed)


def test_wrong_check_digit_is_refused():
    number = _with_check_digit("110370012345")
    wrong = number[:12] + str((int(number[12]) + 1) % 10)
    assert not national_id.is_valid(wrong)


def test_wrong_length_or_characters_are_refused():
    assert not national_id.is_valid("123")
    assert not national_id.is_valid("12345678901234")
    assert not national_id.is_valid("๑๑๐๓๗๐๐๑๒๓๔๕๖")  # Thai digits are not accepted as an ID
    assert not national_id.is_valid("")


def test_keyed_hash_depends_on_the_key_and_hides_the_number():
    number = _with_check_digit("110370012345")
    a = national_id.keyed_hash(number, "key-one")
    assert a == national_id.keyed_hash(number, "key-one")
    assert a != national_id.keyed_hash(number, "key-two")
    assert number not in a and len(a) == 64
