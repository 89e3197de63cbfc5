//! Bearer tokens: anything but a valid, unexpired token signed with the server's key is 401.

use runyard_testkit::TestServer;
use serde_json::json;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn hs256(claims: serde_json::Value, secret: &[u8]) -> String {
    use base64::Engine;
    use hmac_sha256::HMAC;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let signing_input = format!(
        "{}.{}",
        b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64.encode(claims.to_string())
    );
    let sig = HMAC::mac(signing_input.as_bytes(), secret);
    format!("{signing_input}.{}", b64.encode(sig))
}

#[tokio::test]
async fn bad_tokens_are_401_problems() {
    let server = TestServer::start().await;
    let secret = runyard_testkit::TEST_SECRET;
    let anon = server.anonymous();
    anon.get("/v1/workspaces")
        .await
        .expect_problem(401, "unauthorized");
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    let alg_none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&json!({"sub": "alice", "exp": now() + 600}).to_string())
    );
    for (why, token) in [
        ("garbage", "not-a-jwt".to_owned()),
        ("alg none", alg_none),
        (
            "wrong key",
            hs256(
                json!({"sub": "alice", "exp": now() + 600}),
                b"some-other-secret-some-other-secret",
            ),
        ),
        (
            "expired",
            hs256(json!({"sub": "alice", "exp": now() - 3600}), secret),
        ),
        ("no sub", hs256(json!({"exp": now() + 600}), secret)),
        ("no exp", hs256(json!({"sub": "alice"}), secret)),
    ] {
        let reply = anon.with_token(&token).get("/v1/workspaces").await;
        assert_eq!(reply.status, 401, "{why}: {}", reply.text);
        reply.expect_problem(401, "unauthorized");
    }
    // The same helper makes a token the server accepts, so the failures above are real.
    let good = hs256(json!({"sub": "alice", "exp": now() + 600}), secret);
    anon.with_token(&good)
        .get("/v1/workspaces")
        .await
        .expect(200);
    // Basic auth is not a bearer token.
    let basic = runyard_testkit::Client::send(
        anon.request(reqwest::Method::GET, "/v1/workspaces")
            .basic_auth("alice", Some("pw")),
    )
    .await;
    basic.expect_problem(401, "unauthorized");
}

#[tokio::test]
async fn tokens_not_valid_yet_are_refused_and_audience_lists_accepted() {
    let server = TestServer::start().await;
    let secret = runyard_testkit::TEST_SECRET;
    let anon = server.anonymous();
    let later = hs256(
        json!({"sub": "alice", "exp": now() + 3600, "nbf": now() + 600}),
        secret,
    );
    let reply = anon.with_token(&later).get("/v1/workspaces").await;
    let problem = reply.expect_problem(401, "unauthorized");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("not valid yet")
    );
    let valid_now = hs256(
        json!({"sub": "alice", "exp": now() + 3600, "nbf": now() - 1}),
        secret,
    );
    anon.with_token(&valid_now)
        .get("/v1/workspaces")
        .await
        .expect(200);
    // Without a configured audience, an `aud` list is no reason to refuse.
    let listed = hs256(
        json!({"sub": "alice", "exp": now() + 3600, "aud": ["a", "b"]}),
        secret,
    );
    anon.with_token(&listed)
        .get("/v1/workspaces")
        .await
        .expect(200);
}
