use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // `.env` is optional; the process environment wins over it.
    let _ = dotenvy::dotenv();
    server::telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match server::cli::run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
