"""A user's requirements held to the versions the server in the base image runs on."""

import pytest

from scorehost.app.commands import UsageError
from scorehost.user_image.server_pins import ServerPins

# What `pip list --format=freeze` writes in the image (Dockerfile), in part.
LOCK = "fastapi==0.121.0\nscorehost==0.2.0\nuvicorn==0.38.0\nwerkzeug==3.1.3\nnumpy==2.3.4\n"
PINS = ServerPins.parse("scorehost:latest", LOCK)


@pytest.mark.parametrize(
    "line",
    [
        "lightgbm==4.5.0",  # not the server's: free
        "werkzeug>=3.1",  # the server's version meets it
        "Werkzeug~=3.1.0",
        "uvicorn[standard]",
        "numpy<2; python_version < '3.9'",  # never installed on the image's Python
        "--prefer-binary",
    ],
)
def test_requirements_the_servers_versions_meet_pass(line: str) -> None:
    PINS.check([line], "requirements.txt")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "werkzeug==3.0.0",  # CVE-2023-46136, a multipart DoS
            "requirements.txt asks for 'werkzeug==3.0.0', but the server in scorehost:latest "
            "runs on werkzeug 3.1.3: drop or widen the line",
        ),
        ("uvicorn==0.30.0", "runs on uvicorn 0.38.0"),
        ("numpy<2", "runs on numpy 2.3.4"),
        ("scorehost==0.0.1", "but the image is scorehost 0.2.0: the server comes from the base"),
        ("fastapi @ https://example.com/fastapi-0.1-py3-none-any.whl", "installs fastapi from"),
    ],
)
def test_a_requirement_that_would_move_a_server_package_is_exit_2_naming_both(
    line: str, message: str
) -> None:
    with pytest.raises(UsageError) as raised:
        PINS.check([line], "requirements.txt")
    assert message in str(raised.value)
