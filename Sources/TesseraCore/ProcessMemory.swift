import Foundation

/// The process's own memory, for benchmarks and memory bounds.
public enum ProcessMemory {
    /// Peak resident set size in MiB: VmHWM from /proc/self/status (getrusage's ru_maxrss would include the
    /// parent's footprint before exec, e.g. a Python benchmark driver); 0 where /proc is not there.
    public static func peakResidentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib / 1024
    }
}
