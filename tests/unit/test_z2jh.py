"""The Zero to JupyterHub values (room/z2jh/) pass the chart's own schema, and say what they must.

The schema is the chart 4.4.0's, vendored in room/z2jh/vendor/; check-jsonschema validates.
Nothing here needs a cluster, an engine or the network.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from lessons import catalog

Z2JH = catalog.REPO_ROOT / "room" / "z2jh"
SCHEMA = Z2JH / "vendor" / "values.schema.yaml"
REGISTRY_HOST = "sizedrop-room-registry:5000"


def _load(path):
    return yaml.safe_load(path.read_text())


def _helm_merge(base: dict, overlay: dict) -> dict:
    """What `helm --values base --values overlay` gives: maps merge, anything else is replaced."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _helm_merge(out[key], value)
        else:
            out[key] = value
    return out


def _over_chart_defaults(node: dict) -> dict:
    """The schema as it applies to a file Helm merges over the chart's own values.yaml.

    A section reached by fixed keys gets its required keys from the chart's defaults, so its
    `required` goes; what a user adds (a list item, a named map entry) keeps its `required`."""
    out = {k: v for k, v in node.items() if k != "required"}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _over_chart_defaults(v) for k, v in out["properties"].items()}
    return out


def _check(tmp_path, values: dict) -> subprocess.CompletedProcess:
    schema = tmp_path / "values.schema.json"
    schema.write_text(json.dumps(_over_chart_defaults(_load(SCHEMA))))
    document = tmp_path / "values.json"
    document.write_text(json.dumps(values))
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema),
                           str(document)], capture_output=True, text=True, timeout=120)


def _values():
    return _load(Z2JH / "values.yaml")


def _with_sysbox():
    return _helm_merge(_values(), _load(Z2JH / "sysbox.yaml"))


def _sidecar(values: dict) -> dict:
    (dind,) = [c for c in values["singleuser"]["extraContainers"] if c["name"] == "dind"]
    return dind


# --- the chart's schema -------------------------------------------------------------------------

def test_vendored_schema_is_the_chart_release_with_its_licence():
    schema = _load(SCHEMA)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["additionalProperties"] is False and "singleuser" in schema["properties"]
    licence = (SCHEMA.parent / "LICENSE").read_text()
    assert licence.startswith("BSD 3-Clause License")
    assert "Copyright (c) 2017, Project Jupyter Contributors" in licence
    readme = (SCHEMA.parent / "README.md").read_text()
    assert "**4.4.0**" in readme and "5c5f5df751588a68a7781ead01d0f62e88e2e72f" in readme
    assert "--version 4.4.0" in (Z2JH / "values.yaml").read_text()


def test_values_pass_the_chart_schema(tmp_path):
    result = _check(tmp_path, _values())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_sysbox_overlay_merged_on_the_values_passes_the_chart_schema(tmp_path):
    result = _check(tmp_path, _with_sysbox())
    assert result.returncode == 0, result.stdout + result.stderr


def _misspelled_key(v):
    v["singleuser"]["extraContainer"] = v["singleuser"].pop("extraContainers")


def _objects_in_the_hub(v):  # why the room registry is a manifest of its own (registry.yaml)
    v["hub"]["extraObjects"] = [{"apiVersion": "v1", "kind": "Service"}]


def _timeout_as_text(v):
    v["cull"]["timeout"] = "1h"


def _unknown_storage_type(v):
    v["singleuser"]["storage"]["type"] = "ephemeral"


def _extra_image_without_tag(v):  # a named entry keeps its `required`
    del v["prePuller"]["extraImages"]["dind"]["tag"]


@pytest.mark.parametrize("mistake, named", [
    (_misspelled_key, "extraContainer"),
    (_objects_in_the_hub, "extraObjects"),
    (_timeout_as_text, "1h"),
    (_unknown_storage_type, "ephemeral"),
    (_extra_image_without_tag, "'tag' is a required property"),
])
def test_a_wrong_copy_is_rejected(tmp_path, mistake, named):
    values = _values()
    mistake(values)
    result = _check(tmp_path, values)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Schema validation errors were encountered" in result.stdout + result.stderr
    assert named in result.stdout + result.stderr


# --- what the values must say -------------------------------------------------------------------

def _images(node):
    """Every image the values or the manifest name, as 'name:tag'."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image" and isinstance(value, str):
                yield value
            elif key == "image" and isinstance(value, dict):
                yield f"{value['name']}:{value['tag']}"
            else:
                yield from _images(value)
        if set(node) >= {"name", "tag"} and isinstance(node["tag"], str):
            yield f"{node['name']}:{node['tag']}"
    elif isinstance(node, list):
        for item in node:
            yield from _images(item)


@pytest.mark.parametrize("name", ["values.yaml", "sysbox.yaml", "registry.yaml"])
def test_every_image_has_a_version_tag_never_latest(name):
    documents = list(yaml.safe_load_all((Z2JH / name).read_text()))
    images = sorted(set(_images(documents)))
    assert images, name
    for image in images:
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: no tag on {image}"
        assert tag != "latest", f"{name}: {image}"


@pytest.mark.parametrize("values", [_values, _with_sysbox], ids=["privileged", "sysbox"])
def test_the_engine_socket_is_on_a_shared_empty_dir_never_the_hosts(values):
    v = values()
    assert "hostPath" not in json.dumps(v) and "/var/run/docker.sock" not in json.dumps(v)
    storage = v["singleuser"]["storage"]
    volumes = {vol["name"]: vol for vol in storage["extraVolumes"]}
    assert set(volumes["docker-socket"]) == {"name", "emptyDir"}
    assert set(volumes["docker-data"]) == {"name", "emptyDir"}
    (notebook_mount,) = [m["mountPath"] for m in storage["extraVolumeMounts"]
                         if m["name"] == "docker-socket"]
    sidecar = _sidecar(v)
    sidecar_mounts = {m["name"]: m["mountPath"] for m in sidecar["volumeMounts"]}
    assert sidecar_mounts == {"docker-socket": notebook_mount, "docker-data": "/var/lib/docker"}
    socket = f"unix://{notebook_mount}/docker.sock"
    assert v["singleuser"]["extraEnv"]["DOCKER_HOST"] == socket
    assert [a for a in sidecar["args"] if a.startswith("--host")] == [f"--host={socket}"]


def test_the_engine_uses_the_room_registry_the_manifest_serves():
    v = _values()
    args = _sidecar(v)["args"]
    assert f"--registry-mirror=http://{REGISTRY_HOST}" in args
    assert f"--insecure-registry={REGISTRY_HOST}" in args
    assert v["singleuser"]["extraEnv"]["LESSONS_REGISTRY"] == REGISTRY_HOST
    objects = {d["kind"]: d for d in yaml.safe_load_all((Z2JH / "registry.yaml").read_text())}
    assert {"Deployment", "Service", "NetworkPolicy"} <= set(objects)
    service = objects["Service"]
    host, port = REGISTRY_HOST.split(":")
    assert service["metadata"]["name"] == host and service["spec"]["type"] == "ClusterIP"
    assert [p["port"] for p in service["spec"]["ports"]] == [int(port)]
    labels = objects["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    (rule,) = v["singleuser"]["networkPolicy"]["egress"]
    assert rule["to"][0]["podSelector"]["matchLabels"].items() <= labels.items()


def test_the_sysbox_overlay_changes_only_the_engines_privilege():
    privileged, sysbox = _values(), _with_sysbox()
    assert _sidecar(privileged)["securityContext"] == {"privileged": True}
    assert _sidecar(sysbox)["securityContext"] == {"privileged": False}
    assert sysbox["singleuser"]["extraPodConfig"]["runtimeClassName"] == "sysbox-runc"
    rest = [{k: v for k, v in _sidecar(values).items() if k != "securityContext"}
            for values in (privileged, sysbox)]
    assert rest[0] == rest[1], "the overlay repeats the sidecar (Helm replaces lists): keep it equal"


def test_sign_up_needs_the_instructor_and_idle_pods_are_culled():
    v = _values()
    config = v["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == "nativeauthenticator.NativeAuthenticator"
    assert config["NativeAuthenticator"]["open_signup"] is False
    assert config["Authenticator"]["admin_users"]
    assert v["cull"]["enabled"] is True and 0 < v["cull"]["timeout"] <= 4 * 3600


def test_notebook_and_engine_have_limits_no_lower_than_guarantees():
    v = _values()["singleuser"]
    assert 0 < v["cpu"]["guarantee"] <= v["cpu"]["limit"]
    assert v["memory"]["guarantee"] and v["memory"]["limit"]
    resources = _sidecar(_values())["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    assert v["storage"]["type"] == "dynamic" and v["storage"]["capacity"]
