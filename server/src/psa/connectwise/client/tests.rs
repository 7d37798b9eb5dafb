use super::*;

#[test]
fn debug_never_shows_the_private_key() {
    let c = CwCredentials {
        site_url: "https://na.myconnectwise.net".into(),
        company_id: "acme".into(),
        public_key: "pub".into(),
        private_key: "very-secret".into(),
        client_id: "cid".into(),
    };
    let shown = format!("{c:?}");
    assert!(!shown.contains("very-secret"));
    assert!(shown.contains("<redacted>"));
}

#[test]
fn reads_next_links_and_psa_messages() {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        "link",
        "</v4_6_release/apis/3.0/x?page=2>; rel=\"next\", \
        </v4_6_release/apis/3.0/x?page=9>; rel=\"last\""
            .parse()
            .unwrap(),
    );
    assert_eq!(
        next_link(&h).as_deref(),
        Some("/v4_6_release/apis/3.0/x?page=2")
    );
    assert_eq!(
        psa_message(r#"{"code":"NotFound","message":"Company 9 was not found"}"#),
        "Company 9 was not found"
    );
    assert_eq!(
        psa_message("<html>internal admin page</html>"),
        "no error message from ConnectWise Manage"
    );
    let long = format!(r#"{{"message":"{}\u0007"}}"#, "x".repeat(1000));
    assert_eq!(psa_message(&long), "x".repeat(300));
}

#[test]
fn reads_absolute_links_with_commas_and_several_rels() {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("link", "<https://na.myconnectwise.net/v4_6_release/apis/3.0/company/companies?conditions=id%20in%20(1,2)&pageSize=1000&page=1>; rel=\"first\", <https://na.myconnectwise.net/v4_6_release/apis/3.0/company/companies?conditions=id in (1,2)&pageSize=1000&page=2>; rel=\"next\"".parse().unwrap());
    assert_eq!(
        next_link(&h).as_deref(),
        Some("https://na.myconnectwise.net/v4_6_release/apis/3.0/company/companies?conditions=id in (1,2)&pageSize=1000&page=2")
    );
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("link", "</a?page=1>; rel=\"prev\"".parse().unwrap());
    assert_eq!(next_link(&h), None);
}

fn client(site: &str) -> CwClient {
    CwClient::new(
        &CwCredentials {
            site_url: site.into(),
            company_id: "acme".into(),
            public_key: "pub".into(),
            private_key: "priv".into(),
            client_id: "cid".into(),
        },
        RetryPolicy::default(),
    )
    .unwrap()
}

#[test]
fn absolute_links_are_followed_only_on_the_configured_site() {
    let c = client("https://na.myconnectwise.net");
    assert_eq!(
        c.resolve(
            "https://na.myconnectwise.net/v4_6_release/apis/3.0/company/companies?page=2",
            API_BASE
        )
        .unwrap(),
        "https://na.myconnectwise.net/v4_6_release/apis/3.0/company/companies?page=2"
    );
    assert_eq!(
        c.resolve(
            "https://NA.myconnectwise.net:443/v4_6_release/apis/3.0/x?page=2",
            API_BASE
        )
        .unwrap(),
        "https://na.myconnectwise.net/v4_6_release/apis/3.0/x?page=2"
    );
    for foreign in [
        "https://evil.example/v4_6_release/apis/3.0/company/companies?page=2",
        "http://na.myconnectwise.net/v4_6_release/apis/3.0/company/companies?page=2",
        "https://na.myconnectwise.net:8443/v4_6_release/apis/3.0/x",
        "https://na.myconnectwise.net.evil.example/v4_6_release/apis/3.0/x",
        "https://user:pw@na.myconnectwise.net/v4_6_release/apis/3.0/x",
        "https://na.myconnectwise.net/admin/secrets",
        "file:///etc/passwd",
    ] {
        assert!(
            matches!(
                c.resolve(foreign, API_BASE),
                Err(ConnectorError::Malformed { .. })
            ),
            "{foreign}"
        );
    }
}

/// `Codebase` is what `login/companyinfo` says (ConnectWise's developer guide shows
/// `"Codebase": "v2017_3/"`); anything that is not one plain path segment is not used.
#[test]
fn a_codebase_is_one_plain_segment() {
    assert_eq!(
        base_of_codebase("v2025_1/").as_deref(),
        Some("/v2025_1/apis/3.0")
    );
    assert_eq!(
        base_of_codebase("v4_6_release").as_deref(),
        Some("/v4_6_release/apis/3.0")
    );
    for hostile in [
        "",
        "/",
        "../admin/",
        "v1/../../x",
        "a b",
        "v2025_1/?x=",
        "\u{202e}v1",
        "..",
    ] {
        assert_eq!(base_of_codebase(hostile), None, "{hostile:?}");
    }
}
