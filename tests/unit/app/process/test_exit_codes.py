from scorehost.app.process import exit_codes


def test_every_ending_has_its_own_code() -> None:
    codes = [
        exit_codes.OK,
        exit_codes.CRASH_LOOP,
        exit_codes.USAGE,
        exit_codes.SCRIPT_FAILED,
        exit_codes.RECYCLE,
    ]
    assert codes == [0, 1, 2, 3, 4]
