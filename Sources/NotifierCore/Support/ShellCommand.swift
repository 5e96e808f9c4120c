import Foundation

/// A command line of the user's own (`--relay-command`, `--imap-token-command`...), run as `/bin/sh -c COMMAND` in
/// a process group of its own, with the environment given and a time limit: on expiry the whole group is killed
/// (the shell and whatever it started), so a hanging command can neither hang notifier nor outlive it. The command
/// is the shell's argument, never anything it prints: what it prints goes to notifier's standard error or comes
/// back to the caller, and is in no argv.
package struct ShellCommand: Equatable, Sendable {
    package let command: String
    /// Seconds the command may take.
    package let timeout: Double
    /// Exactly the variables the command sees.
    package let environment: [String: String]

    /// Why a command did not give what was asked of it.
    package enum Failure: Error, Equatable {
        /// posix_spawn or pipe(2) failed: strerror's words.
        case cannotStart(String)
        /// Still running after `timeout` seconds: its process group was killed.
        case timedOut
        /// It exited with a status other than 0; `stderr` is what it said there (when captured).
        case exited(status: Int32, stderr: [UInt8])
        /// A signal ended it.
        case signalled(Int32, stderr: [UInt8])
        /// It printed more on its standard output than the caller takes.
        case tooMuchOutput(limit: Int)
    }

    /// What it printed (with `captured` output).
    package struct Output: Equatable {
        package var stdout: [UInt8] = []
        package var stderr: [UInt8] = []
    }

    /// Where its output goes: to notifier's standard error (the relay command: ingest's standard output belongs
    /// to the mail server), or back to the caller (standard output whole up to `maxStdout` bytes, the first
    /// `maxStderr` bytes of standard error).
    package enum OutputMode: Equatable {
        case standardError
        case captured(maxStdout: Int, maxStderr: Int)
    }

    package init(command: String, timeout: Double, environment: [String: String]) {
        self.command = command
        self.timeout = timeout
        self.environment = environment
    }

    /// `timeout` as people write it: `30`, or `0.5`.
    package static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// Runs the command with `input` on its standard input (nil: /dev/null); returns what it printed when it exits
    /// 0 in time, else throws `Failure`.
    package func run(input: [UInt8]?, output mode: OutputMode) throws(Failure) -> Output {
        signal(SIGPIPE, SIG_IGN)
        var pipes = Pipes()
        defer { pipes.closeAll() }
        if input != nil { try pipes.make(.stdin) }
        if case .captured = mode {
            try pipes.make(.stdout)
            try pipes.make(.stderr)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin = pipes[.stdin] {
            posix_spawn_file_actions_adddup2(&actions, stdin.read, STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        if let stdout = pipes[.stdout], let stderr = pipes[.stderr] {
            posix_spawn_file_actions_adddup2(&actions, stdout.write, STDOUT_FILENO)
            posix_spawn_file_actions_adddup2(&actions, stderr.write, STDERR_FILENO)
        } else {
            posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)
        }
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
        pipes.closeChildEnds()
        guard code == 0 else { throw .cannotStart(String(cString: strerror(code))) }

        if let input, let stdin = pipes[.stdin] {
            // Far below a pipe's buffer (an OTP's JSON line), so this never blocks; a command that exits without
            // reading it gives EPIPE (SIGPIPE is ignored), which its exit status then explains.
            _ = input.withUnsafeBytes { write(stdin.write, $0.baseAddress, $0.count) }
        }
        pipes.close(.stdin)
        return try collect(pid: pid, pipes: &pipes, mode: mode)
    }

    /// Reads the captured output while the command runs, until it exited and closed both pipes, or the time is up.
    private func collect(pid: pid_t, pipes: inout Pipes, mode: OutputMode) throws(Failure) -> Output {
        var output = Output()
        var (maxStdout, maxStderr) = (0, 0)
        if case .captured(let stdoutLimit, let stderrLimit) = mode {
            (maxStdout, maxStderr) = (stdoutLimit, stderrLimit)
        }
        for stream in [Pipes.Stream.stdout, .stderr] {
            if let ends = pipes[stream] { _ = fcntl(ends.read, F_SETFL, fcntl(ends.read, F_GETFL) | O_NONBLOCK) }
        }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var exited = false
        var overflow = false
        func killGroup() {
            kill(-pid, SIGKILL)
            if !exited { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        }
        while true {
            if !exited {
                let done = waitpid(pid, &status, WNOHANG)
                if done == pid {
                    exited = true
                } else if done < 0 && errno != EINTR {
                    killGroup()
                    throw .cannotStart("lost the command: \(String(cString: strerror(errno)))")
                }
            }
            let open = [Pipes.Stream.stdout, .stderr].filter { pipes[$0] != nil }
            if exited && open.isEmpty { break }
            if Date() >= deadline {
                killGroup()
                throw .timedOut
            }
            if open.isEmpty {
                usleep(10_000)
                continue
            }
            var fds = open.map { pollfd(fd: pipes[$0]!.read, events: Int16(POLLIN), revents: 0) }
            _ = poll(&fds, nfds_t(fds.count), 10)
            for (stream, fd) in zip(open, fds) where fd.revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 16384)
                let count = read(fd.fd, &buffer, buffer.count)
                if count > 0 {
                    let bytes = buffer[0..<count]
                    if stream == .stdout {
                        if output.stdout.count + count > maxStdout { overflow = true } else { output.stdout += bytes }
                    } else {
                        output.stderr += bytes.prefix(max(0, maxStderr - output.stderr.count))
                    }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    pipes.close(stream)
                }
            }
        }
        let normal = (status & 0x7F) == 0
        if !normal { throw .signalled(status & 0x7F, stderr: output.stderr) }
        let exitStatus = (status >> 8) & 0xFF
        guard exitStatus == 0 else { throw .exited(status: exitStatus, stderr: output.stderr) }
        if overflow { throw .tooMuchOutput(limit: maxStdout) }
        return output
    }
}

/// The pipes between notifier and the command: notifier keeps one end of each, the command gets the other.
private struct Pipes {
    enum Stream: Int {
        case stdin = 0
        case stdout, stderr
    }
    struct Ends {
        var read: Int32
        var write: Int32
    }
    private var ends: [Ends?] = [nil, nil, nil]

    subscript(stream: Stream) -> Ends? { ends[stream.rawValue] }

    /// A pipe whose ends are not inherited by the command except through dup2.
    mutating func make(_ stream: Stream) throws(ShellCommand.Failure) {
        var pair: [Int32] = [-1, -1]
        guard pipe(&pair) == 0 else { throw .cannotStart("cannot make a pipe: \(String(cString: strerror(errno)))") }
        for fd in pair { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        ends[stream.rawValue] = Ends(read: pair[0], write: pair[1])
    }

    /// Closes the ends the command got (after the spawn): the read end of stdin, the write ends of the others.
    mutating func closeChildEnds() {
        for index in ends.indices {
            guard var pair = ends[index] else { continue }
            if index == Stream.stdin.rawValue {
                Glibc.close(pair.read)
                pair.read = -1
            } else {
                Glibc.close(pair.write)
                pair.write = -1
            }
            ends[index] = pair
        }
    }

    /// Closes notifier's end of one pipe.
    mutating func close(_ stream: Stream) {
        guard let pair = ends[stream.rawValue] else { return }
        for fd in [pair.read, pair.write] where fd >= 0 { Glibc.close(fd) }
        ends[stream.rawValue] = nil
    }

    mutating func closeAll() {
        for stream in [Stream.stdin, .stdout, .stderr] { close(stream) }
    }
}

/// Calls `body` with a NULL-terminated C array of `strings`, valid for the call only.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
