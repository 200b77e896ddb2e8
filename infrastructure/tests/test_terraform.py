"""The AWS Terraform (infrastructure/terraform), checked offline with python-hcl2.

There is no terraform binary here, so `terraform validate` and `terraform fmt -check` are replaced
by what they would catch that matters most: names that point nowhere (variables, locals,
resources, data sources), and the security promises of the stack (nothing public but the load
balancer, the data stores reachable from the nodes only, everything encrypted, a private
Kubernetes API). Each check is a function returning the problems it finds; every check is also
run on a copy of the Terraform with one flaw put in, and must report it.
"""

from __future__ import annotations

import functools
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from .tools import INFRA

TERRAFORM = INFRA / "terraform"

# The security group the internet may reach, on these ports only.
LOAD_BALANCER_SG = "load_balancer"
LOAD_BALANCER_PORTS = {80, 443}
# The security group the database and Redis accept connections from.
NODE_SG = "node"
OPEN_CIDRS = {"0.0.0.0/0", "::/0"}
IMAGES = {
    "employee-service",
    "asset-service",
    "invoice-service",
    "dashboard-service",
    "notification-service",
    "web-frontend",
}
# What the pods read from the Kubernetes Secret tb-erp-secrets: variable -> key of the Secret.
SECRETS = {
    "DATABASE_URL": "database-url",
    "DATABASE_REPLICA_URL": "database-replica-url",
    "REDIS_URL": "redis-url",
    "JWT_SECRET": "jwt-secret",
    "AUTH_SECRET": "auth-secret",
    "SMTP_URL": "smtp-url",
}


# ---------------------------------------------------------------------------------------------
# Reading the configuration
# ---------------------------------------------------------------------------------------------


@dataclass
class Block:
    """A `resource`, `data`, `variable`, ... block: its labels, its body and where it is."""

    kind: str
    labels: tuple[str, ...]
    body: dict[str, Any]
    file: str

    @property
    def address(self) -> str:
        return ".".join(self.labels)


@dataclass
class Config:
    directory: Path
    blocks: list[Block] = field(default_factory=list)
    tfvars: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def of(self, kind: str, type_: str | None = None) -> list[Block]:
        return [
            b for b in self.blocks if b.kind == kind and (type_ is None or b.labels[0] == type_)
        ]

    def resource(self, type_: str, name: str) -> Block | None:
        found = [b for b in self.of("resource", type_) if b.labels[1] == name]
        return found[0] if found else None

    @property
    def locals(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for block in self.of("locals"):
            merged.update(block.body)
        return merged


def unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _labelled(
    kind: str, depth: int, node: Any, labels: tuple[str, ...], file: str
) -> Iterator[Block]:
    """python-hcl2 nests a block's labels as one-key dicts ({'"aws_vpc"': {'"main"': body}})."""
    if depth == 0:
        yield Block(kind, labels, _body(node), file)
        return
    for label, inner in node.items():
        if not label.startswith("__"):
            yield from _labelled(kind, depth - 1, inner, (*labels, unquote(label)), file)


def _body(node: Any) -> dict[str, Any]:
    return {k: v for k, v in node.items() if not k.startswith("__")}


LABEL_COUNT = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1}


@functools.lru_cache(maxsize=64)
def parse(text: str) -> dict[str, Any]:
    """Parsing is the slow part; the mutated copies share all but one file with the original."""
    return hcl2.loads(text)


def load(directory: Path) -> Config:
    config = Config(directory)
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text()
        config.sources[path.name] = text
        parsed = parse(text)
        for kind, entries in parsed.items():
            if kind.startswith("__"):
                continue
            for entry in entries:
                labels = LABEL_COUNT.get(kind, 0)
                config.blocks.extend(_labelled(kind, labels, entry, (), path.name))
    for path in sorted((directory / "environments").glob("*.tfvars")):
        text = path.read_text()
        config.sources[f"environments/{path.name}"] = text
        config.tfvars[path.name] = _body(parse(text))
    return config


def strings(node: Any) -> Iterator[str]:
    """Every string in a parsed body, map keys included (tags keys hold interpolations)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.startswith("__"):
                continue
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def expressions(text: str) -> Iterator[str]:
    """The `${...}` parts of a rendered value: python-hcl2 renders every expression that way,
    and a quoted string keeps its quotes, so literal text ("arn:aws:...") is never read as code."""
    start = text.find("${")
    while start != -1:
        depth, i = 0, start + 1
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        yield text[start + 2 : i]
        start = text.find("${", i)


def code(node: Any) -> Iterator[str]:
    for text in strings(node):
        yield from expressions(text)


VAR_REF = re.compile(r"(?<![\w.])var\.([A-Za-z_][\w-]*)")
LOCAL_REF = re.compile(r"(?<![\w.])local\.([A-Za-z_][\w-]*)")
DATA_REF = re.compile(r"(?<![\w.])data\.([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)")
# A managed resource: `<provider>_<type>.<name>`, not preceded by `data.` or another attribute.
RESOURCE_REF = re.compile(r"(?<![\w.])((?:aws|random)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)")


def references(node: Any, pattern: re.Pattern[str]) -> set[tuple[str, ...]]:
    return {match.groups() for expr in code(node) for match in pattern.finditer(expr)}


def literal(value: Any) -> Any:
    """A plain value as Python: "\"x\"" -> "x"; an expression stays its `${...}` text."""
    if isinstance(value, str):
        return unquote(value)
    return value


def single(value: Any) -> Any:
    """A nested block comes back as a list of bodies; most blocks here appear once."""
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else value


def resolve_local(config: Config, value: Any) -> Any:
    """`${local.x}` -> the local's own expression, so a check can see what it stands for."""
    if isinstance(value, str):
        match = re.fullmatch(r"\$\{local\.([A-Za-z_][\w-]*)\}", value)
        if match and match.group(1) in config.locals:
            return resolve_local(config, config.locals[match.group(1)])
    return value


def variable_default(config: Config, name: str) -> Any:
    for block in config.of("variable"):
        if block.labels[0] == name:
            return block.body.get("default")
    return None


# ---------------------------------------------------------------------------------------------
# The checks: each returns its findings, empty when the configuration keeps the promise
# ---------------------------------------------------------------------------------------------


def check_variables(config: Config) -> list[str]:
    declared = {b.labels[0] for b in config.of("variable")}
    # A variable's own validation naming it is not a use.
    outside = [b.body for b in config.blocks if b.kind != "variable"]
    used = {name for (name,) in references(outside, VAR_REF)}
    problems = [f"var.{name} is used but not declared" for name in sorted(used - declared)]
    problems += [f"variable {name} is declared but never used" for name in sorted(declared - used)]
    for file, values in config.tfvars.items():
        problems += [
            f"{file} sets {name}, which is not a declared variable"
            for name in sorted(set(values) - declared)
        ]
    return problems


def check_locals(config: Config) -> list[str]:
    defined = set(config.locals)
    used = {name for (name,) in references([b.body for b in config.blocks], LOCAL_REF)}
    return [f"local.{name} is used but not defined" for name in sorted(used - defined)] + [
        f"local.{name} is defined but never used" for name in sorted(defined - used)
    ]


def check_references(config: Config) -> list[str]:
    resources = {tuple(b.labels) for b in config.of("resource")}
    data = {tuple(b.labels) for b in config.of("data")}
    problems = []
    for block in config.blocks:
        where = f"{block.file}: {block.kind} {block.address}"
        for ref in sorted(references(block.body, RESOURCE_REF) - resources):
            problems.append(f"{where} refers to {'.'.join(ref)}, which is not declared")
        for ref in sorted(references(block.body, DATA_REF) - data):
            problems.append(f"{where} refers to data.{'.'.join(ref)}, which is not declared")
    return problems


def check_plain_resources(config: Config) -> list[str]:
    """Modules would be downloaded at init and hide their resources from these checks."""
    return [f"module {b.address} in {b.file}: use plain resources" for b in config.of("module")]


def check_providers_pinned(config: Config) -> list[str]:
    required: dict[str, Any] = {}
    for block in config.of("terraform"):
        for providers in block.body.get("required_providers", []):
            required.update(_body(providers))
    problems = []
    for name in ("aws", "random"):
        version = literal(required.get(name, {}).get("version", ""))
        if not re.match(r"^\s*(~>|=)\s*\d", version):
            problems.append(f"provider {name} is not pinned (version {version!r})")
    return problems


def check_read_replica(config: Config) -> list[str]:
    instances = config.of("resource", "aws_db_instance")
    primaries = {b.labels[1] for b in instances if "replicate_source_db" not in b.body}
    replicas = [b for b in instances if "replicate_source_db" in b.body]
    if not replicas:
        return ["no aws_db_instance has replicate_source_db: the read replica is missing"]
    problems = []
    for replica in replicas:
        sources = references(replica.body["replicate_source_db"], RESOURCE_REF)
        if not any(type_ == "aws_db_instance" and name in primaries for type_, name in sources):
            problems.append(
                f"replica {replica.labels[1]}: replicate_source_db "
                f"{replica.body['replicate_source_db']!r} does not reference the primary instance"
            )
    return problems


def _attribute_anywhere(node: Any, name: str) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == name:
                yield value
            yield from _attribute_anywhere(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from _attribute_anywhere(item, name)


def check_not_public(config: Config) -> list[str]:
    return [
        f"{b.address} is publicly_accessible"
        for b in config.of("resource")
        for value in _attribute_anywhere(b.body, "publicly_accessible")
        if value is not False
    ]


@dataclass
class Ingress:
    where: str
    security_group: str | None  # the name of the aws_security_group it opens
    from_port: Any
    to_port: Any
    cidrs: set[str]
    sources: set[str]  # names of aws_security_groups it admits


def _cidrs(*values: Any) -> set[str]:
    found: set[str] = set()
    for value in values:
        items = value if isinstance(value, list) else [value]
        found |= {literal(item) for item in items if item is not None}
    return found


def _security_groups(node: Any) -> set[str]:
    return {name for type_, name in references(node, RESOURCE_REF) if type_ == "aws_security_group"}


def ingress_rules(config: Config) -> list[Ingress]:
    """Inline `ingress` blocks (plain and dynamic), aws_security_group_rule of type ingress and
    aws_vpc_security_group_ingress_rule: the three ways Terraform opens a port."""
    rules = []
    for group in config.of("resource", "aws_security_group"):
        inline = list(group.body.get("ingress", []))
        for dynamic in group.body.get("dynamic", []):
            if '"ingress"' in dynamic:
                inline += dynamic['"ingress"'].get("content", [])
        for rule in inline:
            rules.append(
                Ingress(
                    f"{group.address} inline ingress",
                    group.labels[1],
                    rule.get("from_port"),
                    rule.get("to_port"),
                    _cidrs(rule.get("cidr_blocks"), rule.get("ipv6_cidr_blocks")),
                    _security_groups(rule.get("security_groups")),
                )
            )
    for rule in config.of("resource", "aws_security_group_rule"):
        if literal(rule.body.get("type")) != "ingress":
            continue
        target = _security_groups(rule.body.get("security_group_id"))
        rules.append(
            Ingress(
                rule.address,
                next(iter(target), None),
                rule.body.get("from_port"),
                rule.body.get("to_port"),
                _cidrs(rule.body.get("cidr_blocks"), rule.body.get("ipv6_cidr_blocks")),
                _security_groups(rule.body.get("source_security_group_id")),
            )
        )
    for rule in config.of("resource", "aws_vpc_security_group_ingress_rule"):
        target = _security_groups(rule.body.get("security_group_id"))
        rules.append(
            Ingress(
                rule.address,
                next(iter(target), None),
                rule.body.get("from_port"),
                rule.body.get("to_port"),
                _cidrs(rule.body.get("cidr_ipv4"), rule.body.get("cidr_ipv6")),
                _security_groups(rule.body.get("referenced_security_group_id")),
            )
        )
    return rules


def check_internet_ingress(config: Config) -> list[str]:
    problems = []
    for rule in ingress_rules(config):
        open_to = rule.cidrs & OPEN_CIDRS
        if not open_to:
            continue
        ports = {rule.from_port, rule.to_port}
        if (
            rule.security_group == LOAD_BALANCER_SG
            and len(ports) == 1
            and ports <= LOAD_BALANCER_PORTS
        ):
            continue
        problems.append(
            f"{rule.where} opens {rule.security_group} ports {rule.from_port}-{rule.to_port} "
            f"to {sorted(open_to)}"
        )
    return problems


def check_data_stores_from_nodes_only(config: Config) -> list[str]:
    """The groups attached to the database and to Redis admit the node group and nothing else."""
    guarded: dict[str, str] = {}
    for block in config.of("resource", "aws_db_instance"):
        for name in _security_groups(block.body.get("vpc_security_group_ids")):
            guarded[name] = block.address
    for block in config.of("resource", "aws_elasticache_replication_group"):
        for name in _security_groups(block.body.get("security_group_ids")):
            guarded[name] = block.address
    if not guarded:
        return ["neither the database nor Redis names a security group"]
    rules = ingress_rules(config)
    problems = []
    for group, owner in sorted(guarded.items()):
        admitting = [r for r in rules if r.security_group == group]
        if not admitting:
            problems.append(f"{group} (of {owner}) admits no one: the services cannot connect")
        for rule in admitting:
            if rule.cidrs or rule.sources != {NODE_SG}:
                problems.append(
                    f"{rule.where}: {group} (of {owner}) admits {sorted(rule.cidrs | rule.sources)},"
                    f" not only the {NODE_SG} security group"
                )
    return problems


def check_private_cluster_api(config: Config) -> list[str]:
    clusters = config.of("resource", "aws_eks_cluster")
    if not clusters:
        return ["no aws_eks_cluster"]
    problems = []
    for cluster in clusters:
        vpc = single(cluster.body.get("vpc_config", [{}]))
        if vpc.get("endpoint_private_access") is not True:
            problems.append(f"{cluster.address}: endpoint_private_access is not true")
        public = vpc.get("endpoint_public_access", True)  # AWS's default is public
        if public is False:
            continue
        allow_lists = {name for (name,) in references(public, VAR_REF)}
        cidrs_from = {name for (name,) in references(vpc.get("public_access_cidrs"), VAR_REF)}
        if not isinstance(public, str) or not allow_lists or allow_lists != cidrs_from:
            problems.append(
                f"{cluster.address}: endpoint_public_access is {public!r}, neither false nor"
                " on only when an allow-list variable is not empty"
            )
            continue
        for name in sorted(allow_lists):
            if variable_default(config, name) != []:
                problems.append(f"{cluster.address}: var.{name} must default to no address")
            for file, values in config.tfvars.items():
                opened = _cidrs(values.get(name, [])) & OPEN_CIDRS
                if opened:
                    problems.append(f"{file} opens the EKS API to {sorted(opened)}")
    return problems


def check_encryption(config: Config) -> list[str]:
    problems = []
    for block in config.of("resource", "aws_db_instance"):
        if block.body.get("storage_encrypted") is not True:
            problems.append(f"{block.address}: storage_encrypted is not true")
    groups = config.of("resource", "aws_elasticache_replication_group")
    if not groups:
        problems.append("no aws_elasticache_replication_group")
    for block in groups:
        for name in ("at_rest_encryption_enabled", "transit_encryption_enabled"):
            if block.body.get(name) is not True:
                problems.append(f"{block.address}: {name} is not true")
    for block in config.of("resource", "aws_launch_template"):
        for device in block.body.get("block_device_mappings", []):
            for ebs in device.get("ebs", []):
                if ebs.get("encrypted") is not True:
                    problems.append(f"{block.address}: a node volume is not encrypted")
    for block in config.of("resource", "aws_eks_cluster"):
        if "encryption_config" not in block.body:
            problems.append(f"{block.address}: Kubernetes secrets are not envelope-encrypted")
    return problems


def check_database(config: Config) -> list[str]:
    """PostgreSQL 16, standby in another zone in prod, backups kept, not deletable by accident."""
    primaries = [
        b for b in config.of("resource", "aws_db_instance") if "replicate_source_db" not in b.body
    ]
    if not primaries:
        return ["no primary aws_db_instance"]
    problems = []
    for db in primaries:
        if literal(db.body.get("engine")) != "postgres" or not str(
            literal(db.body.get("engine_version", ""))
        ).startswith("16"):
            problems.append(f"{db.address}: not PostgreSQL 16")
        multi_az = resolve_local(config, db.body.get("multi_az"))
        if multi_az is not True and 'var.environment == "prod"' not in str(multi_az):
            problems.append(f"{db.address}: multi_az is {multi_az!r}, not on in prod")
        if db.body.get("deletion_protection") is not True:
            problems.append(f"{db.address}: deletion_protection is not true")
        retention = db.body.get("backup_retention_period", 0)
        for (name,) in references(retention, VAR_REF):
            retention = variable_default(config, name)
            for file, values in config.tfvars.items():
                if values.get(name, 1) < 1:
                    problems.append(f"{file}: {name} turns the backups off")
        if not isinstance(retention, int) or retention < 1:
            problems.append(f"{db.address}: backup_retention_period is {retention!r}")
    return problems


def _for_each_names(config: Config, block: Block) -> set[str]:
    for_each = resolve_local(config, block.body.get("for_each", ""))
    return set(re.findall(r'"([^"$]+)"', " ".join(strings(for_each))))


def check_registry(config: Config) -> list[str]:
    repositories = config.of("resource", "aws_ecr_repository")
    problems = []
    named: set[str] = set()
    for repo in repositories:
        named |= _for_each_names(config, repo) | {repo.labels[1]}
        scanning = single(repo.body.get("image_scanning_configuration", [{}]))
        if scanning.get("scan_on_push") is not True:
            problems.append(f"{repo.address}: scan_on_push is not true")
        if literal(repo.body.get("image_tag_mutability")) != "IMMUTABLE":
            problems.append(f"{repo.address}: image tags are mutable")
    problems += [f"no ECR repository for {image}" for image in sorted(IMAGES - named)]
    return problems


def secret_keys(config: Config) -> dict[str, str]:
    """Variable -> Secrets Manager name suffix (= the Kubernetes Secret's key), from the map the
    aws_secretsmanager_secret resources iterate over."""
    keys: dict[str, str] = {}
    for secret in config.of("resource", "aws_secretsmanager_secret"):
        for_each = resolve_local(config, secret.body.get("for_each"))
        if isinstance(for_each, dict):
            keys.update({name: literal(value) for name, value in for_each.items()})
    return keys


def check_secrets(config: Config) -> list[str]:
    keys = secret_keys(config)
    problems = [
        f"no Secrets Manager secret for {name} ({key})"
        for name, key in sorted(SECRETS.items())
        if keys.get(name) != key
    ]
    used = references([b.body for b in config.blocks], RESOURCE_REF)
    for password in config.of("resource", "random_password"):
        if tuple(password.labels) not in used:
            problems.append(f"{password.address} is generated but never used")
    return problems


def check_connection_urls(config: Config) -> list[str]:
    """The URLs Terraform writes point where their names say, in the schemes the stores need."""
    values = config.locals.get("generated_secret_values", {})
    expected = {
        "DATABASE_URL": ("postgresql://", "aws_db_instance", "primary"),
        "DATABASE_REPLICA_URL": ("postgresql://", "aws_db_instance", "replica"),
        # transit_encryption_enabled: ElastiCache speaks TLS only
        "REDIS_URL": ("rediss://", "aws_elasticache_replication_group", None),
    }
    problems = []
    for name, (scheme, type_, instance) in expected.items():
        value = literal(values.get(name, ""))
        host = re.search(r"@\$\{(\w+)\.(\w+)\.", value)  # what follows the credentials
        if not value.startswith(scheme):
            problems.append(f"{name} does not start with {scheme}")
        if not host or host.group(1) != type_ or instance not in (None, host.group(2)):
            problems.append(f"{name} does not point at {type_}.{instance or '*'}")
    if "sslmode=require" not in literal(values.get("DATABASE_URL", "")):
        problems.append("DATABASE_URL does not ask for TLS (the server forces it)")
    return problems


def _strip_strings_and_comments(line: str) -> str:
    line = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
    return re.sub(r"(#|//).*$", "", line)


def _bracket_change(line: str) -> int:
    bare = _strip_strings_and_comments(line)
    return sum(bare.count(c) for c in "{[(") - sum(bare.count(c) for c in ")]}")


ASSIGN = re.compile(r"^(\s*)([\w\"./${}-]+)(\s*)=(?!=)")


def _misaligned(file: str, run: list[tuple[int, int, int]]) -> list[str]:
    """A run of (line, end of the name, column of `=`): fmt puts every `=` one space after the
    longest name."""
    if not run:
        return []
    want = max(end for _, end, _ in run) + 1
    return [
        f"{file}:{number}: `=` at column {col}, terraform fmt puts it at {want}"
        for number, _, col in run
        if col != want
    ]


def _format_problems(file: str, text: str) -> list[str]:
    problems = []
    indents: list[int] = []  # brackets opened by each line that indented
    run: list[tuple[int, int, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        change = _bracket_change(line)
        if change < 0:
            closed = -change
            while closed > 0 and indents:
                if closed >= indents[-1]:
                    closed -= indents.pop()
                else:
                    indents[-1] -= closed
                    closed = 0
        level = len(indents)  # a closing line already sits at the outer level
        if change > 0:
            indents.append(change)
        if line.strip():
            indent = len(line) - len(line.lstrip(" "))
            if line[indent] == "\t" or indent != 2 * level:
                problems.append(f"{file}:{number}: indented {indent} spaces, not {2 * level}")
            if line != line.rstrip():
                problems.append(f"{file}:{number}: trailing whitespace")
        match = ASSIGN.match(line)
        if match and change == 0:
            run.append((number, len(match.group(1)) + len(match.group(2)), match.end() - 1))
        else:
            problems += _misaligned(file, run)
            run = []
    problems += _misaligned(file, run)
    if indents:
        problems.append(f"{file}: brackets do not balance")
    if not text.endswith("\n") or text.endswith("\n\n"):
        problems.append(f"{file}: must end with exactly one newline")
    return problems


def check_format(config: Config) -> list[str]:
    """What `terraform fmt` would change in layout, after hclwrite's rules: a line that opens
    brackets indents what follows by two spaces (once, however many it opens), and the `=` of
    consecutive one-line attributes line up one space after the longest name (a blank line, a
    comment, a block or a multi-line value ends such a run)."""
    return [p for file, text in config.sources.items() for p in _format_problems(file, text)]


CHECKS: list[Callable[[Config], list[str]]] = [
    check_variables,
    check_locals,
    check_references,
    check_plain_resources,
    check_providers_pinned,
    check_read_replica,
    check_not_public,
    check_internet_ingress,
    check_data_stores_from_nodes_only,
    check_private_cluster_api,
    check_encryption,
    check_database,
    check_registry,
    check_secrets,
    check_connection_urls,
    check_format,
]


# ---------------------------------------------------------------------------------------------
# The real configuration keeps every promise
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def config() -> Config:
    return load(TERRAFORM)


def test_the_expected_files_are_there() -> None:
    for name in (
        "versions.tf",
        "variables.tf",
        "main.tf",
        "network.tf",
        "eks.tf",
        "database.tf",
        "redis.tf",
        "registry.tf",
        "secrets.tf",
        "outputs.tf",
        "environments/dev.tfvars",
        "environments/prod.tfvars",
        "README.md",
    ):
        assert (TERRAFORM / name).is_file(), name
    assert "AWS" in (TERRAFORM / "README.md").read_text()


def test_every_file_parses_and_declares_the_stack(config: Config) -> None:
    types = {b.labels[0] for b in config.of("resource")}
    assert {
        "aws_vpc",
        "aws_subnet",
        "aws_nat_gateway",
        "aws_eks_cluster",
        "aws_eks_node_group",
        "aws_db_instance",
        "aws_elasticache_replication_group",
        "aws_ecr_repository",
        "aws_secretsmanager_secret",
        "random_password",
    } <= types
    assert set(config.tfvars) == {"dev.tfvars", "prod.tfvars"}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_the_terraform_passes(config: Config, check: Callable[[Config], list[str]]) -> None:
    assert check(config) == []


def test_only_the_load_balancer_subnets_are_public(config: Config) -> None:
    """Nodes, the database and Redis sit in subnets whose route tables have no internet gateway."""
    public_tables = {
        b.labels[1]
        for b in config.of("resource", "aws_route_table")
        if any("aws_internet_gateway" in e for e in code(b.body))
    }
    for association in config.of("resource", "aws_route_table_association"):
        (subnet,) = [n for t, n in references(association.body, RESOURCE_REF) if t == "aws_subnet"]
        (table,) = [
            n for t, n in references(association.body, RESOURCE_REF) if t == "aws_route_table"
        ]
        assert (table in public_tables) == (subnet == "public"), association.address
    for subnet in config.of("resource", "aws_subnet"):
        assert subnet.body.get("map_public_ip_on_launch") in (None, False), subnet.address
    node_group = config.resource("aws_eks_node_group", "main")
    assert node_group is not None
    assert references(node_group.body["subnet_ids"], RESOURCE_REF) == {("aws_subnet", "nodes")}
    for type_, name, attribute in (
        ("aws_db_subnet_group", "main", "subnet_ids"),
        ("aws_elasticache_subnet_group", "main", "subnet_ids"),
    ):
        block = config.resource(type_, name)
        assert block is not None
        assert references(block.body[attribute], RESOURCE_REF) <= {
            ("aws_subnet", "database"),
            ("aws_subnet", "cache"),
        }


def test_the_subnets_span_two_zones_at_least(config: Config) -> None:
    assert variable_default(config, "az_count") >= 2
    for values in config.tfvars.values():
        assert values.get("az_count", 2) >= 2
    for subnet in config.of("resource", "aws_subnet"):
        assert literal(subnet.body["count"]) == "${var.az_count}", subnet.address


def test_the_readme_shows_how_tb_erp_secrets_is_fed(config: Config) -> None:
    """One ExternalSecret entry per key, each from the secret Terraform names for it."""
    readme = (TERRAFORM / "README.md").read_text()
    assert "kind: ExternalSecret" in readme
    assert "name: tb-erp-secrets" in readme
    for key in secret_keys(config).values():
        assert f"- secretKey: {key}\n         remoteRef: {{key: tb-erp/prod/{key}}}" in readme, key


def _secret_refs(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("secretKeyRef"), dict):
            yield node["secretKeyRef"]
        for value in node.values():
            yield from _secret_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _secret_refs(item)


def test_every_key_the_pods_read_comes_from_secrets_manager(config: Config) -> None:
    """The manifests in ../kubernetes read tb-erp-secrets; in prod every key they name must be
    one that Terraform creates a secret for, or the pod would not start."""
    manifests = sorted((INFRA / "kubernetes" / "base").glob("*.yaml"))
    if not manifests:
        pytest.skip("no Kubernetes manifests yet")
    read = {
        ref["key"]
        for path in manifests
        for document in yaml.safe_load_all(path.read_text())
        for ref in _secret_refs(document)
        if ref.get("name") == "tb-erp-secrets"
    }
    assert read, "the manifests read nothing from tb-erp-secrets"
    assert read <= set(secret_keys(config).values())


# ---------------------------------------------------------------------------------------------
# Each check catches its flaw: one mutation of a copy per check, or more where a check guards
# several doors
# ---------------------------------------------------------------------------------------------


@dataclass
class Flaw:
    id: str
    check: Callable[[Config], list[str]]
    file: str
    old: str  # must occur exactly once in the real file, so the mutation cannot silently miss
    new: str
    reported: str  # a fragment of the finding


FLAWS = [
    Flaw(
        "undeclared-variable",
        check_variables,
        "outputs.tf",
        "value       = var.region\n",
        "value       = var.regoin\n",
        "var.regoin is used but not declared",
    ),
    Flaw(
        "unused-variable",
        check_variables,
        "variables.tf",
        'variable "project" {',
        'variable "orphan" {\n  type = string\n\n  validation {\n    condition     = var.orphan != ""\n'
        '    error_message = "Say something."\n  }\n}\n\nvariable "project" {',
        "variable orphan is declared but never used",
    ),
    Flaw(
        "tfvars-sets-an-undeclared-variable",
        check_variables,
        "environments/prod.tfvars",
        "az_count    = 3\n",
        "az_count    = 3\nnode_count  = 3\n",
        "prod.tfvars sets node_count",
    ),
    Flaw(
        "undefined-local",
        check_locals,
        "database.tf",
        "multi_az               = local.is_prod",
        "multi_az               = local.is_production",
        "local.is_production is used but not defined",
    ),
    Flaw(
        "unused-local",
        check_locals,
        "main.tf",
        '  is_prod = var.environment == "prod"\n',
        '  is_prod = var.environment == "prod"\n  is_dev  = var.environment == "dev"\n',
        "local.is_dev is defined but never used",
    ),
    Flaw(
        "reference-to-an-undeclared-resource",
        check_references,
        "redis.tf",
        "security_group_ids = [aws_security_group.redis.id]",
        "security_group_ids = [aws_security_group.cache.id]",
        "refers to aws_security_group.cache, which is not declared",
    ),
    Flaw(
        "reference-to-an-undeclared-data-source",
        check_references,
        "main.tf",
        "data.aws_availability_zones.available.names",
        "data.aws_availability_zones.zones.names",
        "refers to data.aws_availability_zones.zones",
    ),
    Flaw(
        "module-download",
        check_plain_resources,
        "main.tf",
        "locals {",
        'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n\nlocals {',
        "module vpc",
    ),
    Flaw(
        "unpinned-provider",
        check_providers_pinned,
        "versions.tf",
        'version = "~> 6.0"',
        'version = ">= 5.0"',
        "provider aws is not pinned",
    ),
    Flaw(
        "replica-of-a-hard-coded-name",
        check_read_replica,
        "database.tf",
        "replicate_source_db = aws_db_instance.primary.identifier",
        'replicate_source_db = "tb-erp-prod-postgres"',
        "does not reference the primary instance",
    ),
    Flaw(
        "public-database",
        check_not_public,
        "database.tf",
        '  publicly_accessible    = false\n  parameter_group_name   = aws_db_parameter_group.postgres16.name\n  ca_cert_identifier     = "rds-ca-rsa2048-g1"\n\n  backup_retention_period   =',
        '  publicly_accessible    = true\n  parameter_group_name   = aws_db_parameter_group.postgres16.name\n  ca_cert_identifier     = "rds-ca-rsa2048-g1"\n\n  backup_retention_period   =',
        "aws_db_instance.primary is publicly_accessible",
    ),
    Flaw(
        "database-open-to-the-internet",
        check_internet_ingress,
        "network.tf",
        'description                  = "PostgreSQL from the EKS nodes"\n  ip_protocol                  = "tcp"\n  from_port                    = 5432\n  to_port                      = 5432\n  referenced_security_group_id = aws_security_group.node.id',
        'description                  = "PostgreSQL from the EKS nodes"\n  ip_protocol                  = "tcp"\n  from_port                    = 5432\n  to_port                      = 5432\n  cidr_ipv4                    = "0.0.0.0/0"',
        "opens database ports 5432-5432 to ['0.0.0.0/0']",
    ),
    Flaw(
        "ssh-on-the-load-balancer",
        check_internet_ingress,
        "network.tf",
        "from_port         = 80\n  to_port           = 80\n",
        "from_port         = 22\n  to_port           = 22\n",
        "opens load_balancer ports 22-22",
    ),
    Flaw(
        "inline-ipv6-ingress-on-the-nodes",
        check_internet_ingress,
        "network.tf",
        'description = "EKS nodes: the source the database and Redis accept"\n',
        'description = "EKS nodes: the source the database and Redis accept"\n\n  ingress {\n    from_port        = 30000\n    to_port          = 32767\n    protocol         = "tcp"\n    ipv6_cidr_blocks = ["::/0"]\n  }\n',
        "node inline ingress opens node ports 30000-32767 to ['::/0']",
    ),
    Flaw(
        "redis-reachable-from-the-load-balancer",
        check_data_stores_from_nodes_only,
        "network.tf",
        'description                  = "Redis (TLS) from the EKS nodes"\n  ip_protocol                  = "tcp"\n  from_port                    = 6379\n  to_port                      = 6379\n  referenced_security_group_id = aws_security_group.node.id',
        'description                  = "Redis (TLS) from the EKS nodes"\n  ip_protocol                  = "tcp"\n  from_port                    = 6379\n  to_port                      = 6379\n  referenced_security_group_id = aws_security_group.load_balancer.id',
        "admits ['load_balancer'], not only the node security group",
    ),
    Flaw(
        "database-reachable-from-the-vpc-range",
        check_data_stores_from_nodes_only,
        "network.tf",
        "from_port                    = 5432\n  to_port                      = 5432\n  referenced_security_group_id = aws_security_group.node.id",
        "from_port                    = 5432\n  to_port                      = 5432\n  cidr_ipv4                    = var.vpc_cidr",
        "admits ['${var.vpc_cidr}'], not only the node security group",
    ),
    Flaw(
        "public-cluster-api",
        check_private_cluster_api,
        "eks.tf",
        "endpoint_public_access = length(var.cluster_endpoint_public_access_cidrs) > 0",
        "endpoint_public_access = true",
        "endpoint_public_access is True",
    ),
    Flaw(
        "allow-list-defaulting-to-everyone",
        check_private_cluster_api,
        "variables.tf",
        "type        = list(string)\n  default     = []\n\n  validation {\n    condition     = !contains(var.cluster_endpoint_public_access_cidrs",
        'type        = list(string)\n  default     = ["10.0.0.0/8"]\n\n  validation {\n    condition     = !contains(var.cluster_endpoint_public_access_cidrs',
        "must default to no address",
    ),
    Flaw(
        "tfvars-opening-the-cluster-api",
        check_private_cluster_api,
        "environments/dev.tfvars",
        "cluster_endpoint_public_access_cidrs = []",
        'cluster_endpoint_public_access_cidrs = ["0.0.0.0/0"]',
        "dev.tfvars opens the EKS API",
    ),
    Flaw(
        "unencrypted-replica",
        check_encryption,
        "database.tf",
        'storage_type      = "gp3"\n  storage_encrypted = true',
        'storage_type      = "gp3"\n  storage_encrypted = false',
        "aws_db_instance.replica: storage_encrypted is not true",
    ),
    Flaw(
        "redis-in-clear-text",
        check_encryption,
        "redis.tf",
        "transit_encryption_enabled = true",
        "transit_encryption_enabled = false",
        "transit_encryption_enabled is not true",
    ),
    Flaw(
        "postgres-15",
        check_database,
        "database.tf",
        'engine_version = "16"',
        'engine_version = "15"',
        "not PostgreSQL 16",
    ),
    Flaw(
        "single-zone-database-in-prod",
        check_database,
        "database.tf",
        "multi_az               = local.is_prod",
        "multi_az               = false",
        "multi_az is False",
    ),
    Flaw(
        "backups-off-in-dev",
        check_database,
        "environments/dev.tfvars",
        "db_backup_retention_days  = 1",
        "db_backup_retention_days  = 0",
        "dev.tfvars: db_backup_retention_days turns the backups off",
    ),
    Flaw(
        "no-scan-on-push",
        check_registry,
        "registry.tf",
        "scan_on_push = true",
        "scan_on_push = false",
        "scan_on_push is not true",
    ),
    Flaw(
        "mutable-tags",
        check_registry,
        "registry.tf",
        'image_tag_mutability = "IMMUTABLE"',
        'image_tag_mutability = "MUTABLE"',
        "image tags are mutable",
    ),
    Flaw(
        "web-frontend-without-a-repository",
        check_registry,
        "registry.tf",
        '    "web-frontend",\n',
        "",
        "no ECR repository for web-frontend",
    ),
    Flaw(
        "no-smtp-secret",
        check_secrets,
        "secrets.tf",
        '    SMTP_URL             = "smtp-url"\n',
        "",
        "no Secrets Manager secret for SMTP_URL",
    ),
    Flaw(
        "replica-url-on-the-primary",
        check_connection_urls,
        "secrets.tf",
        "@${aws_db_instance.replica.address}:",
        "@${aws_db_instance.primary.address}:",
        "DATABASE_REPLICA_URL does not point at aws_db_instance.replica",
    ),
    Flaw(
        "redis-url-without-tls",
        check_connection_urls,
        "secrets.tf",
        'REDIS_URL   = "rediss://',
        'REDIS_URL   = "redis://',
        "REDIS_URL does not start with rediss://",
    ),
    Flaw(
        "misaligned-equals",
        check_format,
        "redis.tf",
        '  engine               = "redis"\n',
        '  engine = "redis"\n',
        "terraform fmt puts it at",
    ),
    Flaw(
        "misaligned-tfvars",
        check_format,
        "environments/prod.tfvars",
        "region      = ",
        "region = ",
        "environments/prod.tfvars:2: `=` at column 7",
    ),
    Flaw(
        "tab-indent",
        check_format,
        "outputs.tf",
        "  value       = aws_vpc.main.id\n",
        "\tvalue       = aws_vpc.main.id\n",
        "indented",
    ),
]


def mutated_copy(tmp_path: Path, flaw: Flaw) -> Config:
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, copy)
    target = copy / flaw.file
    text = target.read_text()
    assert text.count(flaw.old) == 1, f"the mutation must hit exactly once in {flaw.file}"
    target.write_text(text.replace(flaw.old, flaw.new))
    return load(copy)


@pytest.mark.parametrize("flaw", FLAWS, ids=lambda f: f.id)
def test_the_check_catches(tmp_path: Path, flaw: Flaw) -> None:
    problems = flaw.check(mutated_copy(tmp_path, flaw))
    assert any(flaw.reported in p for p in problems), problems


def test_every_check_is_shown_to_catch_a_flaw() -> None:
    assert {c.__name__ for c in CHECKS} == {f.check.__name__ for f in FLAWS}
