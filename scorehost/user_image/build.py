"""What `scorehost build` does once its arguments are read: the plan (the folder's files, the
model's, the requirements held to the server's versions), then the build context and `docker
build`. Imported only when the command runs: it needs the build extra (PathSpec, packaging,
PyYAML), which `scorehost serve` never does."""

import argparse
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from scorehost.app.commands import CommandError, UsageError
from scorehost.deploy.shared.snapshot import Snapshot
from scorehost.user_image import context, requirements, secrets, server_pins


class DockerBuildError(CommandError):
    """docker build ran and failed; its own output says why."""


def _snapshot(folder: Path, what: str) -> Snapshot:
    snapshot = Snapshot.of(folder, dockerignore=True)
    if snapshot.bad_links:
        named = "; ".join(f"{link} {why}" for link, why in snapshot.bad_links)
        raise UsageError(
            f"{what} {folder} holds links that cannot go into an image: {named} (copy what they "
            "point at into the folder, or list them in .dockerignore)"
        )
    return snapshot


def _app_files(folder: Path, model_dir: Path | None, included: list[Path]) -> Snapshot:
    """The folder's snapshot less the model folder (copied on its own) and credentials; plus the
    files the user named."""
    app = _snapshot(folder, "the folder")
    model = model_dir.resolve() if model_dir is not None else None
    left_out = {
        f
        for f in app.files
        if (model is not None and (folder / f).is_relative_to(model))
        or (secrets.looks_secret(f) and f not in included)
    }
    secret = sorted(f.as_posix() for f in left_out if secrets.looks_secret(f))
    if secret:
        print(
            f"scorehost build: left out {', '.join(secret)}: they look like credentials "
            "(--include PATH puts one in)",
            file=sys.stderr,
        )
    files = set(app.files) - left_out | set(included)
    return replace(app, files=tuple(sorted(files)))


def _included(folder: Path, given: list[str]) -> list[Path]:
    paths = []
    for name in given:
        path = (folder / name).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            raise UsageError(f"--include {name}: no such file in {folder}")
        paths.append(path.relative_to(folder))
    return paths


def _plan(args: argparse.Namespace) -> context.Plan:
    folder: Path = args.folder.resolve()
    if not folder.is_dir():
        raise UsageError(
            f"{args.folder} is not a folder (give the one holding {args.entry_script})"
        )
    script = folder / args.entry_script
    if script.is_dir():
        raise UsageError(f"entry script {script} is a folder, not a file")
    if not script.is_file():
        raise UsageError(f"entry script {script} not found")
    model_dir: Path | None = args.model_dir
    if model_dir is None:  # azureml-examples keep it in model/, many projects in models/
        model_dir = next((folder / n for n in ("model", "models") if (folder / n).is_dir()), None)
    if model_dir is not None and not model_dir.is_dir():
        raise UsageError(f"model folder {model_dir} not found")
    if args.pip_ca is not None and not args.pip_ca.is_file():
        raise UsageError(f"CA bundle {args.pip_ca} not found")
    found = requirements.find(folder, args.requirements)
    wanted = requirements.read(found, allow_index_options=args.allow_index_options)
    requirements.bring_back_azureml_core(wanted, requirements.core_imports(folder))
    app = _app_files(folder, model_dir, _included(folder, args.include))
    if Path(args.entry_script) not in app.files:
        raise UsageError(
            f"entry script {args.entry_script} is left out by the folder's ignore files "
            f"({_ignore_names(app) or 'its name'}): it must go into the image"
        )
    return context.Plan(
        folder=folder,
        entry_script=args.entry_script,
        app=app,
        model=_snapshot(model_dir, "the model folder") if model_dir is not None else None,
        requirements=wanted,
        base_image=args.base,
        pip_ca=args.pip_ca,
        model_layout=args.model_layout,
    )


def _ignore_names(snapshot: Snapshot) -> str:
    """The ignore files whose rules were applied (.amlignore wins over .gitignore, as in Azure)."""
    return ", ".join(path.name for path in snapshot.ignore_files)


def _check_pins(plan: context.Plan, args: argparse.Namespace) -> None:
    """Hold the requirements to the server's versions in the base image, before building."""
    if not plan.requirements.packages:
        return
    origin = plan.requirements.source.name if plan.requirements.source else "requirements"
    try:
        pins = server_pins.read(args.docker, plan.base_image, pull=not args.dry_run)
    except server_pins.PinsUnavailable as exc:
        if not args.dry_run:
            raise UsageError(str(exc)) from None
        print(
            f"scorehost build: requirements not checked against the server's versions: {exc} "
            "(a real build checks them first)",
            file=sys.stderr,
        )
        return
    pins.check(plan.requirements.packages, origin)


def _listing(plan: context.Plan) -> str:
    lines = [f"# files from {plan.folder} ({_ignore_names(plan.app) or 'no ignore file'})"]
    lines += [
        f"#   app/{f.as_posix()}  {(plan.folder / f).stat().st_size} bytes" for f in plan.app.files
    ]
    if plan.model is not None:
        lines.append(f"# model files from {plan.model.folder}")
        lines += [
            f"#   model/{f.as_posix()}  {(plan.model.folder / f).stat().st_size} bytes"
            for f in plan.model.files
        ]
    return "\n".join(lines) + "\n"


def _where_the_model_is(plan: context.Plan) -> str:
    """Said on every build: where the script will find its model in the image."""
    if plan.model is None:
        return "no model folder: AZUREML_MODEL_DIR is unset in the image"
    said = f"the model ({plan.model.folder}) is at {plan.model_target}"
    if plan.model_layout == "registered":
        return f"{said}: $AZUREML_MODEL_DIR/{plan.model.folder.name}, as Azure ML v2 mounts it"
    script = (plan.folder / plan.entry_script).read_text(encoding="utf-8", errors="replace")
    name = plan.model.folder.name
    if f'"{name}/' in script or f"'{name}/" in script or f'"{name}"' in script:
        return (
            f"{said} = $AZUREML_MODEL_DIR; {plan.entry_script} names '{name}/' under it, as it "
            "would on an Azure ML v2 deployment of a registered folder: --model-layout "
            "registered lays it out that way"
        )
    return f"{said} = $AZUREML_MODEL_DIR"


def run(args: argparse.Namespace) -> int:
    plan = _plan(args)
    for note in plan.requirements.notes:
        print(f"scorehost build: {note}", file=sys.stderr)
    _check_pins(plan, args)
    print(f"scorehost build: {_where_the_model_is(plan)}", file=sys.stderr)
    if args.dry_run:  # what would be built, without copying the folder and model
        print(context.dockerfile(plan), end="")
        print("\n# requirements.txt")
        print(plan.requirements.text(), end="")
        print()
        print(_listing(plan), end="")
        return 0
    with tempfile.TemporaryDirectory(prefix="scorehost-build-") as folder:
        build_context = Path(folder)
        context.write(plan, build_context)
        try:
            result = subprocess.run(
                [args.docker, "build", "--tag", args.tag, str(build_context)], check=False
            )
        except FileNotFoundError:
            raise UsageError(f"no docker client {args.docker!r} on PATH") from None
    if result.returncode != 0:
        raise DockerBuildError(f"docker build of {args.tag} failed (its output is above)")
    print(f"built {args.tag}: docker run -p 5001:5001 {args.tag}")
    return 0
