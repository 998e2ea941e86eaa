import Foundation

/// A process concern, so it lives in the CLI: libraries never re-execute the process.
///
/// Debian's oneDNN runs on libgomp, whose idle threads spin by default. On the shared 2-core machines Tessera runs on
/// (OpenSlide readers, other processes), that spin takes the CPU the working thread needs: measured at batch 1,
/// 0.4-0.6 tiles/s spinning versus 2.6-3.6 with `OMP_WAIT_POLICY=passive`, and 4x the CPU time per tile.
/// libgomp reads the variable once, when it is loaded at process start, so it cannot be changed from inside.
enum OpenMPEnvironment {
    /// Re-executes the current process with `OMP_WAIT_POLICY=passive` when the variable is not set (a value the user
    /// set, e.g. `active` on a dedicated machine, is kept). Call it first thing in `main`, before any other work:
    /// on success it does not return. Returns normally when the variable is already set or exec is impossible.
    static func reexecWithPassiveWaitPolicyIfUnset() {
        guard ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] == nil else { return }
        setenv("OMP_WAIT_POLICY", "passive", 1)
        let arguments = CommandLine.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", cArguments)
        // exec failed (no /proc): carry on with the default policy.
        for pointer in cArguments { free(pointer) }
    }
}
