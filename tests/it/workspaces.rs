//! Workspaces and members over HTTP: creation, visibility, roles, cross-workspace 404s.

use runyard_testkit::TestServer;
use serde_json::json;

#[tokio::test]
async fn create_list_and_get_by_id_or_slug() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    let created = alice
        .post("/v1/workspaces", json!({"name": "Acme CI", "slug": "acme"}))
        .await;
    let ws = created.expect(201).clone();
    assert_eq!(ws["slug"], "acme");
    assert_eq!(ws["name"], "Acme CI");
    assert_eq!(ws["role"], "owner");
    let id = ws["id"].as_str().unwrap();

    let by_slug = alice.get("/v1/workspaces/acme").await;
    assert_eq!(by_slug.expect(200)["id"], id);
    let by_id = alice.get(&format!("/v1/workspaces/{id}")).await;
    assert_eq!(by_id.expect(200)["slug"], "acme");

    alice.create_workspace("acme-two").await;
    let list = alice.get("/v1/workspaces").await;
    let slugs: Vec<_> = list.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["slug"].clone())
        .collect();
    assert_eq!(slugs, [json!("acme"), json!("acme-two")]);
    assert!(list.body["next_cursor"].is_null());

    // Bob belongs to nothing and sees nothing.
    let bob = server.client("bob");
    assert_eq!(
        bob.get("/v1/workspaces").await.expect(200)["items"],
        json!([])
    );
}

#[tokio::test]
async fn slugs_are_validated_and_unique() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let dup = server
        .client("bob")
        .post("/v1/workspaces", json!({"name": "x", "slug": "acme"}))
        .await;
    dup.expect_problem(409, "slug_taken");
    let bad = alice
        .post("/v1/workspaces", json!({"name": "x", "slug": "Not Valid"}))
        .await;
    assert_eq!(
        bad.expect_problem(422, "validation_failed")["field"],
        "slug"
    );
    let blank = alice
        .post("/v1/workspaces", json!({"name": "  ", "slug": "fine-slug"}))
        .await;
    assert_eq!(
        blank.expect_problem(422, "validation_failed")["field"],
        "name"
    );
    let missing = alice.post("/v1/workspaces", json!({"name": "x"})).await;
    missing.expect_problem(400, "bad_request");
}

#[tokio::test]
async fn another_workspace_is_404_exactly_like_a_missing_one() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    let id = alice.create_workspace("acme").await;
    let mallory = server.client("mallory");
    mallory.create_workspace("evil").await;
    let by_slug = mallory.get("/v1/workspaces/acme").await;
    let by_id = mallory.get(&format!("/v1/workspaces/{id}")).await;
    let missing = mallory.get("/v1/workspaces/no-such-ws").await;
    for reply in [&by_slug, &by_id, &missing] {
        reply.expect_problem(404, "not_found");
    }
    // Alike but for the id of each request.
    let without_request_id = |body: &serde_json::Value| {
        let mut body = body.clone();
        body.as_object_mut().unwrap().remove("request_id");
        body
    };
    assert_eq!(
        without_request_id(&by_id.body),
        without_request_id(&missing.body),
        "a foreign workspace must be indistinguishable from a missing one"
    );
    mallory
        .get("/v1/workspaces/acme/members")
        .await
        .expect_problem(404, "not_found");
    mallory
        .post(
            "/v1/workspaces/acme/members",
            json!({"subject": "mallory", "role": "owner"}),
        )
        .await
        .expect_problem(404, "not_found");
    mallory
        .delete("/v1/workspaces/acme/members/alice")
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn members_are_managed_by_admins() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    alice.add_member("acme", "carol", "admin").await;
    alice.add_member("acme", "dave", "member").await;
    alice.add_member("acme", "erin", "viewer").await;

    let members = alice.get("/v1/workspaces/acme/members").await;
    let listed: Vec<(String, String)> = members.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["subject"].as_str().unwrap().into(),
                m["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("alice", "owner"),
            ("carol", "admin"),
            ("dave", "member"),
            ("erin", "viewer")
        ]
        .map(|(s, r)| (s.to_owned(), r.to_owned()))
    );

    // A member and a viewer see the workspace but may not manage members.
    let dave = server.client("dave");
    assert_eq!(
        dave.get("/v1/workspaces/acme").await.expect(200)["role"],
        "member"
    );
    dave.get("/v1/workspaces/acme/members")
        .await
        .expect_problem(403, "forbidden");
    dave.post(
        "/v1/workspaces/acme/members",
        json!({"subject": "x", "role": "viewer"}),
    )
    .await
    .expect_problem(403, "forbidden");
    server
        .client("erin")
        .delete("/v1/workspaces/acme/members/dave")
        .await
        .expect_problem(403, "forbidden");

    // An admin manages members, but not owners.
    let carol = server.client("carol");
    carol.add_member("acme", "frank", "viewer").await;
    carol
        .post(
            "/v1/workspaces/acme/members",
            json!({"subject": "grace", "role": "owner"}),
        )
        .await
        .expect_problem(403, "forbidden");
    carol
        .delete("/v1/workspaces/acme/members/alice")
        .await
        .expect_problem(403, "forbidden");
    carol
        .delete("/v1/workspaces/acme/members/frank")
        .await
        .expect(204);
    server
        .client("frank")
        .get("/v1/workspaces/acme")
        .await
        .expect_problem(404, "not_found");

    // Duplicates, unknown members, bad roles.
    alice
        .post(
            "/v1/workspaces/acme/members",
            json!({"subject": "dave", "role": "viewer"}),
        )
        .await
        .expect_problem(409, "already_member");
    alice
        .delete("/v1/workspaces/acme/members/nobody")
        .await
        .expect_problem(404, "not_found");
    alice
        .post(
            "/v1/workspaces/acme/members",
            json!({"subject": "x", "role": "superuser"}),
        )
        .await
        .expect_problem(400, "bad_request");
}

#[tokio::test]
async fn the_last_owner_cannot_leave() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    alice
        .delete("/v1/workspaces/acme/members/alice")
        .await
        .expect_problem(409, "last_owner");
    alice.add_member("acme", "bob", "owner").await;
    alice
        .delete("/v1/workspaces/acme/members/alice")
        .await
        .expect(204);
    alice
        .get("/v1/workspaces/acme")
        .await
        .expect_problem(404, "not_found");
    let bob = server.client("bob");
    bob.delete("/v1/workspaces/acme/members/bob")
        .await
        .expect_problem(409, "last_owner");
}
