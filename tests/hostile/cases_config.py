"""Settings from LEPTON_*, --config and lepton.yaml: bad values name their real origin."""

from __future__ import annotations

from hostile_case import Case, inv_files

SCAN = ("scan", "-s", "inv.yaml")
SECRET = "https://hooks.slack.com/services/T000/B000/SECRETSECRET"


def _env(var: str, value: str, exit_code: int = 3) -> Case:
    return Case(f"env-{var}={value}", SCAN, exit_code, (var,), inv_files(), env={var: value})


BUDGET = ("budget", "status", "-s", "focus.csv")
FOCUS = {"focus.csv": "BilledCost,BillingCurrency\n1,USD\n"}


def _budget(id_: str, body: str, words: tuple[str, ...], exit_code: int = 3) -> Case:
    """Budget errors name the config file given with --config, never a lepton.yaml."""
    files = FOCUS | {"ci.yaml": body}
    args = ("--config", "ci.yaml", *BUDGET)
    return Case(id_, args, exit_code, ("ci.yaml", *words), files, absent=("lepton.yaml",))


def _file(body: str, word: str, name: str = "lepton.yaml") -> Case:
    return Case(f"config-{body.strip()[:30]}", SCAN, 3, (name, word), inv_files() | {name: body})


CASES: list[Case] = [
    _env("LEPTON_GAP", "abc"),
    _env("LEPTON_GAP", "2"),
    _env("LEPTON_GAP", "nan"),
    _env("LEPTON_MAX_WORKERS", "0"),
    _env("LEPTON_MAX_WORKERS", "1e9"),
    _env("LEPTON_TIME_LIMIT", "-1"),
    _env("LEPTON_TIME_LIMIT", "inf"),
    _env("LEPTON_IDLE_THRESHOLD", "nan"),
    _env("LEPTON_HEADROOM", "1e300"),
    _env("LEPTON_CACHE_TTL_HOURS", "inf"),
    _env("LEPTON_SOLVER", "gurobi"),
    _env("LEPTON_HISTORY", "maybe"),
    _env("LEPTON_AWS", "not json"),
    _env("LEPTON_BUDGETS", "{}"),
    _env("LEPTON_IDLE_MIN_DAYS", "-3"),
    Case(
        "env-unknown-warns",
        SCAN,
        0,
        ("LEPTON_TYPO", "warning"),
        inv_files(),
        env={"LEPTON_TYPO": "1"},
    ),
    Case(
        "env-script-var-quiet",
        SCAN,
        0,
        (),
        inv_files(),
        env={"LEPTON_BUDGET": "9"},
        absent=("LEPTON_BUDGET",),
    ),
    _file("gap: 2\n", "gap"),
    _file("idle_treshold: 0.1\n", "idle_treshold"),
    _file("solver: gurobi\n", "solver"),
    _file("headroom: .nan\n", "headroom"),
    _file("max_workers: .inf\n", "max_workers"),
    _file("- a list\n", "mapping"),
    _file("gap: [\n", "invalid YAML"),
    _file("budgets: 5\n", "budgets"),
    _file("time_limit: 1e999\n", "time_limit"),
    _file("1: 2\n", "setting name"),
    _file("aws: [1]\n", "aws"),
    Case(
        "config-proc-mem",
        ("--config", "/proc/self/mem", *SCAN),
        3,
        ("/proc/self/mem", "cannot read"),
        inv_files(),
    ),
    Case(
        "source-proc-mem",
        SCAN,
        3,
        ("inv.yaml", "cannot read"),
        setup=lambda t: (t / "inv.yaml").symlink_to("/proc/self/mem"),
    ),
    Case(
        "config-file-paths-5",
        ("scan", "-p", "file"),
        3,
        ("lepton.yaml", "paths"),
        {"lepton.yaml": "file: {paths: 5}\n"},
    ),
    Case(
        "config-given-file-named",
        ("--config", "ci.yaml", *SCAN),
        3,
        ("ci.yaml", "gap"),
        inv_files() | {"ci.yaml": "gap: -1\n"},
        absent=("lepton.yaml",),
    ),
    _budget(
        "budget-given-file-amount", "budgets: [{name: a, amount: -1}]\n", ("budgets[0].amount",)
    ),
    _budget(
        "budget-given-file-twice",
        "budgets: [{name: a, amount: 5}, {name: a, amount: 6}]\n",
        ("two budgets", "'a'"),
    ),
    _budget("budget-given-file-scope", "budgets: [{name: a, amount: 5, scope: 7}]\n", ("scope",)),
    _budget("budget-given-file-none", "gap: 0.1\n", ("no budgets in",), exit_code=2),
    Case(
        "budget-env-named",
        BUDGET,
        3,
        ("LEPTON_BUDGETS", "budgets[0].amount"),
        FOCUS,
        env={"LEPTON_BUDGETS": '[{"name": "a", "amount": "lots"}]'},
        absent=("lepton.yaml",),
    ),
    Case(
        "budget-user-config-path",
        BUDGET,
        3,
        ("cfg/lepton/lepton.yaml", "budgets[0].thresholds"),
        FOCUS | {"cfg/lepton/lepton.yaml": "budgets: [{name: a, amount: 5, thresholds: 1}]\n"},
        env={"XDG_CONFIG_HOME": "{tmp}/cfg"},
    ),
    Case("config-missing", ("--config", "nope.yaml", *SCAN), 3, ("nope.yaml",), inv_files()),
    Case(
        "config-is-dir",
        ("--config", "d", *SCAN),
        3,
        ("d",),
        inv_files(),
        setup=lambda t: (t / "d").mkdir(),
    ),
    Case(
        "config-binary",
        ("--config", "c.yaml", *SCAN),
        3,
        ("c.yaml",),
        inv_files() | {"c.yaml": b"\xff\xfe"},
    ),
    Case(
        "config-provider-section",
        ("--config", "c.yaml", "scan", "-p", "aws"),
        3,
        ("c.yaml", "aws"),
        {"c.yaml": "aws: {regoins: [us-east-1]}\n"},
    ),
    Case(
        "env-provider-section",
        ("scan", "-p", "file"),
        3,
        ("LEPTON_FILE",),
        env={"LEPTON_FILE": '{"pathz": []}'},
    ),
    Case(
        "secret-not-echoed",
        ("--debug", *SCAN),
        3,
        ("notify",),
        inv_files() | {"lepton.yaml": f"notify: {{url: {SECRET}}}\n"},
        absent=("SECRETSECRET",),
    ),
    Case(
        "secret-env-not-echoed",
        ("--debug", *SCAN),
        3,
        ("LEPTON_HEADROOM",),
        inv_files(),
        env={"LEPTON_HEADROOM": SECRET},
        absent=("SECRETSECRET",),
    ),
    Case(
        "data-dir-is-file",
        SCAN,
        0,
        ("history not recorded",),
        inv_files() | {"blocker": "x"},
        env={"LEPTON_DATA_DIR": "{tmp}/blocker/sub"},
    ),
]
