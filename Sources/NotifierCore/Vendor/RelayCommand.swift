import Foundation

/// The installer's own relay program (`--relay-command`), run with `/bin/sh -c` and the OTP as one JSON line on its
/// standard input. It runs in a process group of its own, with a clean environment and a time limit: on expiry the
/// whole group is killed (the shell and whatever it started), so a hanging command can neither hang notifier nor
/// outlive it.
struct RelayCommand {
    let command: String
    /// Seconds the command may take.
    let timeout: Double
    /// The only variables the command sees: never notifier's secrets (`NOTIFIER_SMTP_PASSWORD`, ...).
    package let environment: [String: String]

    /// The variables passed on from notifier's environment; everything else, secrets included, stays behind.
    static let passedVariables = ["PATH", "HOME", "LANG", "TZ"]

    init(command: String, timeout: Double, environment: [String: String]) {
        self.command = command
        self.timeout = timeout
        var clean: [String: String] = [:]
        for name in Self.passedVariables { clean[name] = environment[name] }
        clean["PATH"] = clean["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        self.environment = clean
    }

    /// Runs the command with `input` on its standard input; its standard output goes to notifier's standard
    /// error (ingest's standard output belongs to the mail server). Throws `RelayError` unless it exits 0 in time.
    func run(input: String) throws {
        signal(SIGPIPE, SIG_IGN)
        var pipe: [Int32] = [-1, -1]
        guard Glibc.pipe(&pipe) == 0 else { throw failure("cannot make a pipe: \(String(cString: strerror(errno)))") }
        defer { if pipe[1] >= 0 { close(pipe[1]) } }
        _ = fcntl(pipe[1], F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own (pgid = its pid), and the default signal dispositions back (notifier ignores some).
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments = ["/bin/sh", "-c", command]
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let code = withCStrings(arguments) { argv in
            withCStrings(variables) { envp in posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp) }
        }
        close(pipe[0])
        guard code == 0 else { throw failure("cannot run the relay command: \(String(cString: strerror(code)))") }

        // The line is far below a pipe's buffer, so this never blocks; a command that exits without reading it
        // gives EPIPE (SIGPIPE is ignored), which its exit status then explains.
        let bytes = Array((input + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(pipe[1], $0.baseAddress, $0.count) }
        close(pipe[1])
        pipe[1] = -1

        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR {
                throw failure("lost the relay command: \(String(cString: strerror(errno)))")
            }
            if Date() >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                throw failure("the relay command did not finish within \(Self.seconds(timeout)) s and was killed")
            }
            usleep(10_000)
        }
        let exited = (status & 0x7F) == 0
        guard exited && (status >> 8) & 0xFF == 0 else {
            let how = exited ? "exited with status \((status >> 8) & 0xFF)" : "was killed by signal \(status & 0x7F)"
            throw failure("the relay command \(how)")
        }
    }

    private func failure(_ message: String) -> OTPRelay.RelayError {
        OTPRelay.RelayError(message: message)
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Calls `body` with a NULL-terminated C array of `strings`, valid for the call only.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
