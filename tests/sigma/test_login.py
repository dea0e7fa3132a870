from tests.sigma.conftest import PASSWORD_B64, Sigma, assert_error


def test_login_answers_the_documented_envelope(client):
    response = Sigma(client).login()
    assert response.status_code == 200
    body = response.json
    assert list(body) == ["url", "message", "message_chs", "data", "error"]
    assert body["message"] == "User login successfully."
    assert body["message_chs"] == "用户登录成功."
    assert body["error"] == {"message": "", "code": "", "message_chs": ""}
    assert body["data"]["user_name"] == "test" and body["data"]["account_name"] == "sigma"
    info = body["data"]["user_info"]
    assert set(info) == {
        "account_id",
        "password",
        "description",
        "access_key",
        "display_name",
        "name",
        "mobile",
        "token",
        "user_level",
        "secret_key",
        "_id",
        "type",
        "email",
        "sys_user",
    }
    assert info["type"] == "User" and info["sys_user"] is False and info["email"] == "test@12sigma.ai"
    assert len(info["_id"]) == 24 and int(info["_id"], 16) >= 0
    assert "x-sg-request-id" in response.headers and len(response.headers["x-sg-request-id"]) == 24


def test_login_needs_no_token_header_and_no_force_new(client):
    response = client.get(
        "/sigma/login", query_string={"account_name": "sigma", "user_name": "test", "password": PASSWORD_B64}
    )
    assert response.status_code == 200


def test_login_without_force_new_returns_the_live_token(client):
    s = Sigma(client)
    first = s.login().json["data"]["user_info"]["token"]
    second = s.login(force_new="False").json["data"]["user_info"]["token"]
    assert first == second


def test_force_new_revokes_the_old_token(client):
    s = Sigma(client)
    old = s.login().json["data"]["user_info"]["token"]
    new = s.login(force_new="True").json["data"]["user_info"]["token"]
    assert new != old
    stale = client.get("/sigma/accounts/sigma/jobs/list/?unique_id=x", headers={"Sigma-Token": old})
    assert_error(
        stale,
        401,
        "InvalidToken",
        "Invalid token, the token is invalid or expired, please login again!",
        "无效的token，token非法或已过期，请重新登录!",
    )
    fresh = client.get("/sigma/accounts/sigma/jobs/list/?unique_id=x", headers={"Sigma-Token": new})
    assert fresh.status_code == 200


def test_wrong_password_is_refused(client):
    import base64

    response = Sigma(client).login(password=base64.urlsafe_b64encode(b"654321").decode())
    assert_error(
        response,
        401,
        "LoginFailed",
        "User login failed, the account name, user name or password is incorrect!",
        "用户登录失败，账户名、用户名或密码错误!",
    )


def test_plain_password_is_refused_because_the_sdk_sends_base64(client):
    assert_error(Sigma(client).login(password="123456"), 401, "LoginFailed")


def test_unknown_user_and_account_are_refused(client):
    assert_error(Sigma(client).login(user_name="nobody"), 401, "LoginFailed")
    assert_error(Sigma(client).login(account_name="other"), 401, "LoginFailed")


def test_missing_parameter_is_invalid_parameter(client):
    response = client.get("/sigma/login", query_string={"account_name": "sigma", "password": PASSWORD_B64})
    assert_error(
        response,
        400,
        "InvalidParameter",
        "Invalid input, the parameter user_name is required!",
        "输入错误，缺少必选参数用户名（user_name）!",
    )
    assert response.headers["X-Mock-Explain"] == "user_name: missing, it is required"


def test_bad_force_new_is_invalid_parameter(client):
    response = Sigma(client).login(force_new="maybe")
    assert_error(
        response,
        400,
        "InvalidParameter",
        "Invalid input, the input force new is invalid!",
        "输入错误，输入的强制登录标志（force_new）参数非法!",
    )


def test_logout_revokes_the_token(sigma, client):
    response = client.delete("/sigma/logout", headers=sigma.headers)
    assert response.status_code == 200
    assert response.json["message"] == "User logout successfully!"
    assert response.json["message_chs"] == "用户登出成功"
    assert response.json["data"] == {}
    assert_error(client.delete("/sigma/logout", headers=sigma.headers), 401, "InvalidToken")
    assert_error(client.get("/sigma/accounts/sigma/jobs/list/?unique_id=1", headers=sigma.headers), 401, "InvalidToken")


def test_logout_without_token(client):
    assert_error(client.delete("/sigma/logout"), 401, "InvalidToken")


def test_login_with_wrong_method_is_the_envelope(client):
    response = client.post("/sigma/login")
    assert_error(
        response, 405, "MethodNotAllowed", "The method is not allowed for the requested URL!", "请求的URL不支持该方法!"
    )
    assert "GET" in response.headers["Allow"]


def test_configured_users_replace_the_demo_user():
    from mockservers.app import create_app
    from tests.machinery import test_settings

    settings = test_settings(
        vendor_config={"sigma": {"accounts": {"hospital": {"users": {"alice": {"password": "s3cret"}}}}}}
    )
    app = create_app(settings, start_background=False)
    c = app.test_client()
    import base64

    ok = c.get(
        "/sigma/login",
        query_string={
            "account_name": "hospital",
            "user_name": "alice",
            "password": base64.urlsafe_b64encode(b"s3cret").decode(),
        },
    )
    assert ok.status_code == 200 and ok.json["data"]["account_name"] == "hospital"
    assert (
        c.get(
            "/sigma/login", query_string={"account_name": "sigma", "user_name": "test", "password": PASSWORD_B64}
        ).status_code
        == 200
    )
