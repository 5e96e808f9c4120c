import Foundation

/// An exclusive lock (flock) held for a run, so two batches (`notices send`, `notices remind`, a requeue) never work
/// the same rows at once.
package final class RunLock {
    private let descriptor: Int32

    package init(path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LockFileError(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw BusyError(
                message:
                    "another 'notifier notices send' or 'notices remind' is running on this database; try again later")
        }
    }

    package func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// Something else holds what this command needs: try again later (EX_TEMPFAIL, 75).
package struct BusyError: NotifierError {
    package let message: String
}

/// The run's lock file could not be opened (EX_CANTCREAT, 73): its folder is the database's.
package struct LockFileError: NotifierError {
    let path: String
    package let reason: String
    package var message: String {
        "cannot open the lock file \(path): \(reason); check the database folder's permissions"
    }
}
