"""Nothing but lepton_cli.apply calls an API that changes a cloud (DESIGN.md, "Apply").

The AWS names come from botocore's own service models: every operation of the services lepton
uses that is not a read (Describe*, Get*, List*, ...). Azure's changing calls are its
long-running ``begin_*`` operations and ``create_or_update``; Google's are the Compute Engine
verbs (not ``reset``, which ContextVar has too). Each is looked for as a method call anywhere
in the package outside ``apply/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session
from botocore import xform_name

SRC = Path(__file__).resolve().parents[2] / "src" / "lepton_cli"
AWS_SERVICES = ("ec2", "ce", "pricing", "savingsplans", "cloudwatch", "sts", "autoscaling")
READS = ("Describe", "Get", "List", "Search", "Lookup", "Batch Get", "Estimate", "Preview")
# Getting temporary credentials changes nothing in the account.
HARMLESS = {"assume_role", "assume_role_with_saml", "assume_role_with_web_identity"}
AZURE = r"begin_\w+|create_or_update\w*"
GOOGLE = (
    r"insert|set_machine_type|set_labels|set_scheduling|stop|start|suspend|resume|"
    r"attach_disk|detach_disk|add_access_config|delete_access_config|create_snapshot|"
    r"delete|patch|resize"
)


def aws_mutations() -> set[str]:
    session = botocore.session.get_session()
    names: set[str] = set()
    for service in AWS_SERVICES:
        model = session.get_service_model(service)
        names |= {xform_name(op) for op in model.operation_names if not op.startswith(READS)}
    return names - HARMLESS


def calls(pattern: str) -> list[str]:
    rx = re.compile(rf"\.({pattern})\(")
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.is_relative_to(SRC / "apply"):
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            found += [f"{path.relative_to(SRC)}:{n}: {m}" for m in rx.findall(code)]
    return found


def test_the_aws_names_include_the_ones_apply_uses() -> None:
    names = aws_mutations()
    assert {"terminate_instances", "modify_instance_attribute", "release_address"} <= names
    assert "describe_instances" not in names


def test_no_aws_mutation_outside_apply() -> None:
    assert calls("|".join(sorted(aws_mutations(), key=len, reverse=True))) == []


def test_no_azure_mutation_outside_apply() -> None:
    assert calls(AZURE) == []


def test_no_google_mutation_outside_apply() -> None:
    assert calls(GOOGLE) == []


def test_the_grep_finds_a_call(tmp_path: Path) -> None:
    """The patterns do match a real call (else the tests above could never fail)."""
    line = "        ec2.terminate_instances(InstanceIds=ids)"
    aws = "|".join(sorted(aws_mutations(), key=len, reverse=True))
    assert re.findall(rf"\.({aws})\(", line) == ["terminate_instances"]
    assert re.findall(rf"\.({GOOGLE})\(", "client.set_machine_type(request=r)") == [
        "set_machine_type"
    ]
    assert re.findall(rf"\.({AZURE})\(", "vms.begin_deallocate(rg, name)") == ["begin_deallocate"]
    assert any("apply/aws.py" in str(p) for p in SRC.rglob("*.py"))
