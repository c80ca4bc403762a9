fn main() -> std::process::ExitCode {
    alist_doctor::run()
}
