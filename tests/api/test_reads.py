"""Camera images over HTTP: the read with the real reader, the confirmation, bad uploads as problems."""

from __future__ import annotations

import random

from borderplates.vocabulary import Role
from tests.api.conftest import Running
from tests.reading.synth import draw_plate, encode, street_scene


def photo() -> bytes:
    scene, _ = street_scene(draw_plate("NP 123-AB", "rs.standard"), random.Random(7))
    return encode(scene, "JPEG")


def test_a_camera_image_is_read_kept_and_checked_and_its_crop_and_confirmation_are_served(server: Running) -> None:
    with server.as_role(Role.OFFICER) as officer:
        made = officer.post(
            "/api/v1/reads",
            content=photo(),
            headers={"Content-Type": "image/jpeg"},
            params={"point": "jarinje", "entering": "XK", "at": "2021-10-03T10:00:00+02:00", "camera": "jarinje-1"},
        )
        assert made.status_code == 201, made.text
        answer = made.json()
        assert answer["candidates"][0]["canonical"] == "NP 123-AB" and answer["camera"] == "jarinje-1"
        assert answer["check"]["plate"]["canonical"] == "NP 123-AB"
        crop = officer.get(f"/api/v1/reads/{answer['id']}/crop.png")
        assert crop.status_code == 200 and crop.headers["content-type"] == "image/png" and crop.content.startswith(b"\x89PNG")
        confirmed = officer.post(f"/api/v1/reads/{answer['id']}/confirmation", json={"plate": "NP 123-AB"})
        assert confirmed.status_code == 200 and confirmed.json()["confirmed"]["by"] == "officer-jarinje"
        crossed = officer.post(
            "/api/v1/crossings", json={"plate": "NP 123-AB", "entering": "XK", "point": "jarinje", "at": "2021-10-03T10:01:00+02:00", "read_id": answer["id"]}
        )
        assert crossed.status_code == 201, crossed.text
        assert officer.get(f"/api/v1/reads/{answer['id']}").json()["crossing_id"] == crossed.json()["id"]


def test_bad_uploads_are_problems(server: Running) -> None:
    with server.as_role(Role.OFFICER) as officer:
        for content, kind, status_code in (
            (b"plate,point\n", "text/csv", 422),
            (b"", "image/png", 422),
            (b"\xff\xd8\xff" + b"\x00" * 100, "image/jpeg", 422),
            (b"GIF89a" + b"\x00" * 100, "image/png", 422),
            (b"\x89PNG" + b"\x00" * (11 * 1_048_576), "image/png", 413),
        ):
            answer = officer.post("/api/v1/reads", content=content, headers={"Content-Type": kind})
            assert answer.status_code == status_code, (kind, answer.text[:200])
            assert answer.headers["content-type"] == "application/problem+json"
        assert officer.get("/api/v1/reads/999999").status_code == 404
    with server.as_role(Role.ADMIN) as admin:
        assert admin.post("/api/v1/reads", content=photo(), headers={"Content-Type": "image/jpeg"}).status_code == 403
