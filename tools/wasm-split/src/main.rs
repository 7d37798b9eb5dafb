//! `steward-wasm-split <frontend.wasm> <pkg dir> <split main.wasm>`: splits the frontend's WASM
//! (built with `-Clink-args=--emit-relocs`) at its `#[lazy]` points, as `cargo leptos build
//! --split` does, for `scripts/build-site.sh`.
//!
//! Writes the main module to `<split main.wasm>` (wasm-bindgen's input next), and into the pkg
//! dir each lazily loaded module, the loader `__wasm_split.______________________.js` Leptos'
//! hydration script and the main module import, and `__wasm_split_manifest.json` (which modules
//! each split point needs, read by the server to preload a page's modules). Prints the path of
//! every lazily loaded module, one a line, for wasm-opt.

use std::path::Path;
use std::process::ExitCode;

/// The loader's name: the one Leptos' `HydrationScripts` and the router expect when file
/// hashing is off (as cargo-leptos names it).
const LINK_NAME: &str = "./__wasm_split.______________________.js";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg, main_out] = args.as_slice() else {
        eprintln!("usage: steward-wasm-split <frontend.wasm> <pkg dir> <split main.wasm>");
        return ExitCode::from(2);
    };
    match split(Path::new(input), Path::new(pkg), Path::new(main_out)) {
        Ok(modules) => {
            for m in modules {
                println!("{}", m.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("steward-wasm-split: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn split(
    input: &Path,
    pkg: &Path,
    main_out: &Path,
) -> Result<Vec<std::path::PathBuf>, Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input).map_err(|e| format!("reading {}: {e}", input.display()))?;
    let name = std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "steward".to_string());
    // The split modules import `initSync` from the main JS module, beside them in the pkg dir.
    let main_module = format!("./{name}.js");
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = pkg;
    opts.main_out_path = main_out;
    opts.main_module = &main_module;
    opts.link_name = LINK_NAME;
    let split = wasm_split_cli_support::transform(opts).map_err(|e| format!("{e:#}"))?;
    std::fs::write(
        pkg.join("__wasm_split_manifest.json"),
        serde_json::to_string_pretty(&split.prefetch_map)?,
    )?;
    Ok(split.split_modules)
}
