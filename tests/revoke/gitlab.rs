//! Built-in GitLab handler against a local HTTP server playing GitLab's REST API.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::harness::*;

const PAT: &str = "gitleaks_rule_id_gitlab_personal_access_token";
const DEPLOY: &str = "gitleaks_rule_id_gitlab_deploy_token";
const ADMIN: &str = "admin-token-for-tests";

/// GitLab: `DELETE /api/v4/personal_access_tokens/self` (a PAT revokes itself) and
/// `DELETE /api/v4/admin/token` (an admin revokes any token).
fn fake_gitlab(active: Arc<Mutex<HashSet<String>>>) -> FakeServer {
    FakeServer::start(0, move |s| {
        let mut active = active.lock().unwrap();
        let private = s.headers.get("private-token").cloned().unwrap_or_default();
        match (s.method.as_str(), s.path.as_str()) {
            ("DELETE", "/api/v4/personal_access_tokens/self") => {
                if active.remove(&private) {
                    (204, vec![], String::new())
                } else {
                    (401, vec![], r#"{"message":"401 Unauthorized"}"#.into())
                }
            }
            ("DELETE", "/api/v4/admin/token") => {
                if private != ADMIN {
                    return (401, vec![], String::new());
                }
                let body: Value = serde_json::from_slice(&s.body).unwrap_or(Value::Null);
                let tok = body["token"].as_str().unwrap_or("").to_string();
                if active.remove(&tok) {
                    (204, vec![], String::new())
                } else {
                    (404, vec![], String::new())
                }
            }
            _ => (404, vec![], String::new()),
        }
    })
}

fn outcomes(st: &Value) -> Vec<String> {
    let mut v: Vec<String> = st["recent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn gitlab_pats_revoke_themselves_and_admin_token_revokes_any_type() {
    let mut w = World::new();
    let (live, gone, live2, deploy) = (glpat(), glpat(), glpat(), opaque("gldt-"));
    w.secrets.extend([
        live.clone(),
        gone.clone(),
        live2.clone(),
        deploy.clone(),
        ADMIN.to_string(),
    ]);
    let active = Arc::new(Mutex::new(HashSet::from([live.clone(), live2.clone(), deploy.clone()])));
    let gl = fake_gitlab(active.clone());

    // without an admin token: self-revocation of PATs only
    let cfg =
        w.service_config("self", free_port(), &[], &format!("[gitlab]\nurl = \"{}\"\n", gl.url));
    let (mut svc, url) = w.serve(&cfg);
    let (_, _, types) =
        http("GET", &format!("{url}/v1/revocable_token_types"), Some(SERVICE_TOKEN), None);
    assert!(types.contains(PAT) && !types.contains(DEPLOY), "{types}");
    assert_eq!(post_tokens(&url, &[(DEPLOY, &deploy)]), 400, "deploy tokens need the admin API");
    assert_eq!(post_tokens(&url, &[(PAT, &live), (PAT, &gone)]), 204);
    let st = wait_for(Duration::from_secs(10), "both PATs handled", || {
        let st = status(&w, &cfg);
        (st["outbox"]["done"] == 2).then_some(st)
    });
    assert_eq!(outcomes(&st), vec!["already revoked or invalid (401)", "revoked (204)"]);
    assert!(!active.lock().unwrap().contains(&live), "GitLab revoked the leaked PAT");
    let seen = gl.seen();
    assert!(
        seen.iter()
            .all(|s| s.path == "/api/v4/personal_access_tokens/self" && s.method == "DELETE")
    );
    assert_eq!(seen.len(), 2);
    assert!(svc.term().success());

    // with an admin token: DELETE /api/v4/admin/token for any GitLab token type
    std::fs::write(w.path("gitlab-admin-token.txt"), ADMIN).unwrap();
    let extra =
        format!("[gitlab]\nurl = \"{}\"\nadmin_token_file = \"gitlab-admin-token.txt\"\n", gl.url);
    let cfg = w.service_config("admin", free_port(), &[], &extra);
    let (mut svc, url) = w.serve(&cfg);
    assert_eq!(post_tokens(&url, &[(DEPLOY, &deploy), (PAT, &live2), (PAT, &live)]), 204);
    let st = wait_for(Duration::from_secs(10), "admin revocations", || {
        let st = status(&w, &cfg);
        (st["outbox"]["done"] == 3).then_some(st)
    });
    assert_eq!(outcomes(&st), vec!["not found (404)", "revoked (204)", "revoked (204)"]);
    assert!(active.lock().unwrap().is_empty());
    let admin_calls: Vec<_> =
        gl.seen().into_iter().filter(|s| s.path == "/api/v4/admin/token").collect();
    assert_eq!(admin_calls.len(), 3);
    assert!(admin_calls.iter().all(|s| s.headers["private-token"] == ADMIN));
    assert!(svc.term().success());
    w.assert_no_leaks(&[]);
}
