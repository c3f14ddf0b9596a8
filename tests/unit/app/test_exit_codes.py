"""One table of exit codes: a number means one thing per command, each name says which."""

from scorehost.app import exit_codes


def test_serve_has_one_code_for_each_way_it_ends() -> None:
    codes = [
        exit_codes.OK,
        exit_codes.CRASH_LOOP,
        exit_codes.USAGE,
        exit_codes.SCRIPT_FAILED,
        exit_codes.RECYCLE,
    ]
    assert codes == [0, 1, 2, 3, 4]


def test_deploy_shares_the_table() -> None:
    assert (exit_codes.DEPLOY_FAILED, exit_codes.SMOKE_TEST_FAILED) == (3, 4)
