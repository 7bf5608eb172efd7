import pytest

from skills.core.manifests._load import load_json, load_toml, load_yaml, load_yaml_all
from skills.core.manifests.types import ManifestError

YAML_BOMB = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def test_yaml_aliases_are_refused_so_a_bomb_cannot_expand():
    with pytest.raises(ManifestError, match="aliases"):
        load_yaml("x.yml", YAML_BOMB)


def test_yaml_tags_that_build_objects_are_refused():
    with pytest.raises(ManifestError):
        load_yaml("x.yml", b"a: !!python/object/apply:os.system ['true']\n")


def test_yaml_anchors_without_aliases_still_load():
    assert load_yaml("x.yml", b"a: &x 1\nb: 2\n") == {"a": 1, "b": 2}


@pytest.mark.parametrize(
    ("loader", "data"),
    [
        (load_json, b"[" * 100_000 + b"]" * 100_000),
        (load_yaml, b"[" * 20_000 + b"]" * 20_000),
        (load_toml, b"a = " + b"[" * 100_000 + b"]" * 100_000),
    ],
)
def test_deep_nesting_is_reported_not_raised(loader, data):
    with pytest.raises(ManifestError):
        loader("x", data)


def test_size_cap_is_enforced_before_parsing():
    with pytest.raises(ManifestError, match="larger than"):
        load_yaml_all("x.yml", b"a: 1\n" * 10, max_bytes=20)
