use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // `.env` is optional; the process environment wins over it.
    let _ = dotenvy::dotenv();
    server::config::forget_empty_variables(&<server::cli::Cli as clap::CommandFactory>::command());
    let result = match server::cli::parse_args(std::env::args().skip(1)) {
        Ok(cli) => {
            let _reporting = server::telemetry::init(&cli.settings);
            server::cli::run(cli).await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
