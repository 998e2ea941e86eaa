import Foundation
import TesseraCore

/// A seeded pseudo-random generator (SplitMix64) for fuzz tests: the same seed gives the same cases on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed and limits of one fuzz test. The seed is printed first, so that a failure (or a trap that kills the test
/// process) can be replayed with `TESSERA_FUZZ_SEED=<seed> swift test --filter <test>`; unset, each run draws a new
/// seed. Cases run until `count` or `seconds`, whichever comes first, so a fuzz test is bounded in time.
public struct FuzzCampaign: Sendable {
    public let name: String
    public let seed: UInt64
    public let count: Int
    public let seconds: Double

    public init(_ name: String, count: Int, seconds: Double = 3) {
        self.name = name
        self.count = count
        self.seconds = seconds
        if let text = ProcessInfo.processInfo.environment["TESSERA_FUZZ_SEED"], let seed = UInt64(text) {
            self.seed = seed
        } else {
            self.seed = UInt64.random(in: 1...UInt64(UInt32.max))
        }
        FileHandle.standardError.write(Data("fuzz \(name): seed \(seed) (replay with TESSERA_FUZZ_SEED=\(seed))\n".utf8))
    }

    /// Runs `body` on up to `count` cases, each with its own generator derived from the seed and the case index;
    /// returns how many ran.
    @discardableResult
    public func run(_ body: (_ index: Int, _ random: inout SeededGenerator) throws -> Void) rethrows -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        var index = 0
        while index < count, Date() < deadline {
            var random = SeededGenerator(seed: seed &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
            try body(index, &random)
            index += 1
        }
        return index
    }

    /// A description of a failing case, for `Issue.record`.
    public func failure(_ index: Int, _ detail: String) -> String {
        "fuzz \(name) case \(index) (seed \(seed)): \(detail)"
    }
}

/// The process's peak resident set size in MiB (VmHWM), for memory bounds in fuzz tests. Other tests running at the
/// same time raise it too, so bounds on its growth are generous.
public func peakResidentMiB() -> Double { ProcessMemory.peakResidentMiB() }

/// Hostile replacements for a number in a text format: limits of 64-bit integers, floats past them, negatives.
public let hostileNumbers = [
    "0", "-1", "1", "2", "255", "256", "65535", "4294967296", "9223372036854775807", "9223372036854775808",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808", "4611686018427387904", "1e308", "-1e308",
    "1.5", "1e400", "0.0", "-0", "2147483648", "3.4e38", "NaN", "Infinity", "\"7\"", "null", "true", "[]", "{}",
]

extension Array where Element == UInt8 {
    /// The bytes with one random mutation: a flipped bit, a changed, inserted or deleted byte, a duplicated or
    /// dropped run, or a number replaced by a hostile one.
    public func mutated(_ random: inout SeededGenerator) -> [UInt8] {
        var bytes = self
        guard !bytes.isEmpty else { return [UInt8.random(in: 0...255, using: &random)] }
        let position = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0: bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
        case 1: bytes[position] = UInt8.random(in: 0...255, using: &random)
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
        case 3: bytes.remove(at: position)
        case 4:
            let length = Swift.min(Int.random(in: 1...64, using: &random), bytes.count - position)
            bytes.insert(contentsOf: bytes[position..<(position + length)], at: position)
        case 5:
            let length = Swift.min(Int.random(in: 1...64, using: &random), bytes.count - position)
            bytes.removeSubrange(position..<(position + length))
        default:
            // Replace the run of digits at or after the position with a hostile number.
            guard let start = bytes[position...].firstIndex(where: { (0x30...0x39).contains($0) }) else { break }
            var end = start
            while end < bytes.count, (0x30...0x39).contains(bytes[end]) || bytes[end] == 0x2E || bytes[end] == 0x2D { end += 1 }
            let replacement = hostileNumbers.randomElement(using: &random)!
            bytes.replaceSubrange(start..<end, with: Array(replacement.utf8))
        }
        return bytes
    }
}
