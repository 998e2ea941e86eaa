import Foundation

/// A process concern, so it lives in the CLI: libraries never re-execute the process.
///
/// Debian's oneDNN runs on libgomp. Its idle threads spin for about 3 ms by default (`GOMP_SPINCOUNT` 300,000), which on
/// the shared 2-core machines Tessera runs on (OpenSlide readers, other processes) takes the CPU the working thread
/// needs: measured at batch 1 with other builds running, 0.4-0.6 tiles/s spinning versus 2.6-3.6 passive. Fully
/// passive threads cost the other way: every oneDNN primitive and Tessera kernel then wakes its workers through a
/// futex, about 80 µs each, and a tile runs 100-140 of them. A 10,000-spin wait (about 0.1 ms: longer than the gaps
/// between one tile's layers, far shorter than a batch) measured `tessera run` at 256 x 256 tiles 1.25-1.4x faster than
/// passive at fp32 and int8, and at 512 x 512 1.0-1.2x; a 30,000-spin wait made 512 x 512 fp32 runs 12-18% slower
/// (the readers need that CPU). BENCHMARKS.md, Threads.
/// libgomp reads both variables once, when it is loaded at process start, so they cannot be changed from inside.
enum OpenMPEnvironment {
    /// `GOMP_SPINCOUNT` set with the passive policy: a waiting libgomp thread spins this many times (libgomp reckons
    /// 100,000 a millisecond) before it sleeps, fewer when libgomp has more threads than the CPUs it may use.
    static let spinCount = "10000"

    /// The wait settings this process runs under, for benchmark reports: libgomp read them at start, so these are
    /// the ones in force. nil where unset (libgomp's defaults).
    static var current: (waitPolicy: String?, spinCount: String?) {
        let environment = ProcessInfo.processInfo.environment
        return (environment["OMP_WAIT_POLICY"], environment["GOMP_SPINCOUNT"])
    }

    /// Re-executes the current process with `OMP_WAIT_POLICY=passive` and `GOMP_SPINCOUNT=10000` when the policy is
    /// not set (values the user set, e.g. `OMP_WAIT_POLICY=active` on a dedicated machine, are kept). Call it first
    /// thing in `main`, before any other work: on success it does not return. Returns normally when the policy is
    /// already set or exec is impossible.
    static func reexecWithBoundedSpinIfUnset() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OMP_WAIT_POLICY"] == nil else { return }
        let setsSpinCount = environment["GOMP_SPINCOUNT"] == nil
        setenv("OMP_WAIT_POLICY", "passive", 1)
        if setsSpinCount { setenv("GOMP_SPINCOUNT", spinCount, 1) }
        let arguments = CommandLine.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", cArguments)
        // exec failed (no /proc): carry on with the default policy, and say so in `current`.
        for pointer in cArguments { free(pointer) }
        unsetenv("OMP_WAIT_POLICY")
        if setsSpinCount { unsetenv("GOMP_SPINCOUNT") }
    }
}
