"""Staff accounts: roles, login, revocation (CONTRACT §3)."""
from __future__ import annotations

from tests.conftest import ADMIN, bearer, staff_user


def test_an_admin_creates_staff_who_log_in_with_their_password(client):
    token = staff_user(client, "proctor", "budi")
    assert token.startswith("st_")
    r = client.post("/api/v1/login", json={"username": "budi", "password": "kata-sandi-rahasia"})
    assert r.status_code == 200 and r.get_json()["role"] == "proctor"
    assert r.get_json()["token"] != token                   # every login gets its own token
    bad = client.post("/api/v1/login", json={"username": "budi", "password": "salah"})
    assert bad.status_code == 401 and bad.get_json()["error"] == "bad_credentials"
    users = client.get("/api/v1/users", headers=ADMIN).get_json()["users"]
    assert users == [{"username": "budi", "role": "proctor", "disabled": False}]


def test_roles_decide_what_each_may_call(client, actions):
    exam, _ = actions.ready_exam(1)
    proctor, observer = staff_user(client, "proctor"), staff_user(client, "observer")
    assert client.get("/api/v1/banks", headers=bearer(proctor)).status_code == 403
    assert client.post("/api/v1/users", headers=bearer(proctor), json={}).status_code == 403
    assert client.get(f"/api/v1/exams/{exam}/results", headers=bearer(observer)).status_code \
        == 200
    assert client.get(f"/api/v1/exams/{exam}/results", headers=bearer(proctor)).status_code \
        == 403
    assert client.post(f"/api/v1/exams/{exam}/close", headers=bearer(observer)).status_code \
        == 403
    assert client.post(f"/api/v1/exams/{exam}/close", headers=bearer(proctor)).status_code \
        == 200


def test_a_revoked_token_and_a_disabled_user_are_refused(client):
    token = staff_user(client, "admin", "ani")
    assert client.post("/api/v1/logout", headers=bearer(token)).get_json() == {"ok": True}
    assert client.get("/api/v1/banks", headers=bearer(token)).status_code == 401
    second = client.post("/api/v1/login", json={"username": "ani",
                                                "password": "kata-sandi-rahasia"})
    fresh = second.get_json()["token"]
    assert client.get("/api/v1/banks", headers=bearer(fresh)).status_code == 200
    client.post("/api/v1/users/ani/disable", headers=ADMIN)
    assert client.get("/api/v1/banks", headers=bearer(fresh)).status_code == 401
    again = client.post("/api/v1/login", json={"username": "ani",
                                               "password": "kata-sandi-rahasia"})
    assert again.status_code == 401


def test_bad_user_requests_name_the_field(client):
    r = client.post("/api/v1/users", headers=ADMIN, json={"username": "x y", "role": "proctor",
                                                          "password": "kata-sandi-rahasia"})
    assert r.status_code == 400 and r.get_json()["field"] == "username"
    r = client.post("/api/v1/users", headers=ADMIN, json={"username": "ok", "role": "king",
                                                          "password": "kata-sandi-rahasia"})
    assert r.get_json()["field"] == "role"
    r = client.post("/api/v1/users", headers=ADMIN, json={"username": "ok", "role": "proctor",
                                                          "password": "short"})
    assert r.get_json()["field"] == "password"
