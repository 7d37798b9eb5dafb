//! `steward psa-sim`: one PSA's simulator alone, serving a generated dataset until Ctrl-C.

use crate::cli::{Command, SimPsa};
use anyhow::Context;
use server::dataset::Dataset;

/// Runs the simulator `command` (a `Command::PsaSim`) asks for.
pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::PsaSim {
            addr,
            size,
            seed,
            psa: SimPsa::Autotask,
            username,
            secret,
            integration_code,
            ..
        } => {
            use sim::autotask::records::AtRecords;
            use sim::autotask::{router, AtCredentials, AtSimulator, ROOT};
            let records = AtRecords::from_dataset(&Dataset::generate(size, seed));
            let sim = AtSimulator::new(
                AtCredentials {
                    username: username.clone(),
                    secret,
                    integration_code: integration_code.clone(),
                },
                records,
            );
            let listener = listen(addr).await?;
            let at = listener.local_addr()?;
            println!(
                "Autotask simulator on http://{at}{ROOT}/v1.0/ (zone information \
                at http://{at}{ROOT}/v1.0/zoneInformation?user={username})"
            );
            println!(
                "Username {username}, integration code {integration_code}; the \
                secret is the --secret given (default demo-secret)"
            );
            serve_until_ctrl_c(listener, router(sim)).await
        }
        Command::PsaSim {
            addr,
            size,
            seed,
            psa: SimPsa::Halopsa,
            credentials,
            client_secret,
            tenant,
            ..
        } => {
            use sim::halo::records::HaloRecords;
            use sim::halo::{router, HaloCredentials, HaloSimulator};
            let records = HaloRecords::from_dataset(&Dataset::generate(size, seed));
            let client_id = credentials.client_id;
            let sim = HaloSimulator::new(
                HaloCredentials {
                    client_id: client_id.clone(),
                    client_secret,
                    tenant: tenant.clone(),
                },
                records,
            );
            let listener = listen(addr).await?;
            let at = listener.local_addr()?;
            println!(
                "HaloPSA simulator on http://{at} (token at \
                http://{at}/auth/token, API under http://{at}/api/)"
            );
            println!(
                "Client ID {client_id}{}; the client secret is the --client-secret \
                    given (default demo-client-secret)",
                tenant.map(|t| format!(", tenant {t}")).unwrap_or_default()
            );
            serve_until_ctrl_c(listener, router(sim)).await
        }
        Command::PsaSim {
            addr,
            size,
            seed,
            credentials,
            ..
        } => {
            use sim::connectwise::{router, Records, Simulator, BASE};
            let records = Records::from_dataset(&Dataset::generate(size, seed));
            let sim = Simulator::new(credentials, records);
            let listener = listen(addr).await?;
            println!(
                "ConnectWise Manage simulator on http://{}{BASE}",
                listener.local_addr()?
            );
            serve_until_ctrl_c(listener, router(sim)).await
        }
        _ => unreachable!("only psa-sim commands come here"),
    }
}

/// A simulator's listener on `addr`.
async fn listen(addr: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}"))
}

/// Serves a simulator until Ctrl-C.
async fn serve_until_ctrl_c(
    listener: tokio::net::TcpListener,
    app: axum::Router,
) -> anyhow::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
