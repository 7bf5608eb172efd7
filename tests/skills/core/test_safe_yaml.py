"""The one safe YAML loader: anchors within a budget, bombs and odd input refused clearly."""

import pytest

from projects.core.source import MemorySource
from repotrackr.core import safe_yaml
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills

COMPOSE_WITH_ANCHORS = """\
x-app: &app
  image: ghcr.io/acme/shop:1.4
  environment: &env
    RAILS_ENV: production
services:
  web:
    <<: *app
    command: bin/rails server
  worker:
    <<: *app
    environment:
      <<: *env
      QUEUE: default
  db:
    image: postgres:16
  cache:
    image: redis:7
"""


def bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


def test_merge_keys_and_aliases_are_expanded():
    doc = safe_yaml.load(COMPOSE_WITH_ANCHORS)
    assert doc["services"]["web"]["image"] == "ghcr.io/acme/shop:1.4"
    assert doc["services"]["worker"]["environment"] == {
        "RAILS_ENV": "production",
        "QUEUE": "default",
    }


def test_the_billion_laughs_bomb_is_refused_by_its_expanded_size():
    assert safe_yaml.load(bomb(3))["a2"][0][0][0] == "lol"  # 1,000 leaves: fine
    with pytest.raises(safe_yaml.YamlError, match="past 200000 nodes; refused as an alias bomb"):
        safe_yaml.load(bomb(9))  # a billion leaves from a few hundred bytes


def test_the_budget_is_a_parameter_and_counts_every_copy():
    text = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n"
    assert safe_yaml.load(text, max_nodes=20)["b"][2] == [1, 2, 3]
    with pytest.raises(safe_yaml.YamlError, match="past 10 nodes"):
        safe_yaml.load(text, max_nodes=10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [*a]\n", "recursive alias"),
        ("a: b: c\n", "invalid YAML: mapping values are not allowed in this context at line 1"),
        ("a: " + "[" * 50_000 + "]" * 50_000, "nested too deeply"),
        ("a: \x07\n", "control characters"),
        ("!!python/object:os.system {}\n", "invalid YAML"),
    ],
)
def test_bad_yaml_gives_a_short_clear_reason(text, message):
    with pytest.raises(safe_yaml.YamlError, match=message.replace("(", r"\(")):
        safe_yaml.load(text)


def test_a_compose_file_with_anchors_is_read_for_its_images():
    source = MemorySource({"docker-compose.yml": COMPOSE_WITH_ANCHORS})
    result = extract_skills(source, catalogue=cached_catalogue())
    assert result.manifests_skipped == ()
    names = {s.name for s in result.skills}
    assert {"PostgreSQL", "Redis", "Docker Compose"} <= names
