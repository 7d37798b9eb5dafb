// The migrations are embedded by `sqlx::migrate!`, which stable Rust cannot tell Cargo about:
// without this, adding or editing a migration leaves test binaries with the old ones.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
