import Foundation

/// Which PRAGMA statements `tessera query` runs. SQLite's own read-only flag (`sqlite3_stmt_readonly`) is no guide
/// for PRAGMAs: it calls `PRAGMA writable_schema = 1` and `PRAGMA foreign_keys = OFF` read-only (they change the
/// connection, not the file) and the plain read `PRAGMA main.journal_mode` not. The rule, as the README states it:
///
/// - `PRAGMA [schema.]name` reads a setting and is allowed, except the few that act when named bare
///   (`optimize`, `wal_checkpoint`, `incremental_vacuum`, `shrink_memory`);
/// - `PRAGMA name = value` assigns and is always refused;
/// - `PRAGMA name(argument)` is allowed only for the pragmas whose argument names what to read (`table_info(t)`,
///   `index_list(t)`, `integrity_check(10)`...); for every other one it is an assignment and refused.
enum PragmaRule {
    enum Verdict: Equatable {
        case notAPragma
        case allowed
        case refused(String)
    }

    /// Pragmas that do something when named with no argument.
    static let actions: Set<String> = ["optimize", "wal_checkpoint", "incremental_vacuum", "shrink_memory"]
    /// Pragmas whose argument says what to read, not what to set.
    static let readsWithArgument: Set<String> = [
        "table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list", "foreign_key_list",
        "foreign_key_check", "integrity_check", "quick_check",
    ]

    /// The verdict on the first statement of `sql` (callers have already checked that it holds only one).
    static func verdict(_ sql: String) -> Verdict {
        var scanner = Scanner(Array(sql.utf8))
        scanner.skipSpaceAndComments()
        guard scanner.keyword().lowercased() == "pragma" else { return .notAPragma }
        scanner.skipSpaceAndComments()
        var name = scanner.identifier()
        scanner.skipSpaceAndComments()
        if scanner.peek == UInt8(ascii: ".") {
            scanner.advance()
            scanner.skipSpaceAndComments()
            name = scanner.identifier()
            scanner.skipSpaceAndComments()
        }
        name = name.lowercased()
        switch scanner.peek {
        case UInt8(ascii: "="):
            return .refused("PRAGMA \(name) = ... changes a setting")
        case UInt8(ascii: "("):
            return readsWithArgument.contains(name) ? .allowed : .refused("PRAGMA \(name)(...) changes a setting")
        default:
            return actions.contains(name) ? .refused("PRAGMA \(name) acts on the file") : .allowed
        }
    }

    /// A minimal SQL tokenizer: enough to find a PRAGMA's name and what follows it.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func advance() { index += 1 }

        mutating func skipSpaceAndComments() {
            while let byte = peek {
                if byte == 0x20 || (0x09...0x0D).contains(byte) {
                    advance()
                } else if byte == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                    while let next = peek, next != 0x0A { _ = next; advance() }
                } else if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                    index += 2
                    while index < bytes.count, !(bytes[index] == UInt8(ascii: "*") && index + 1 < bytes.count
                                                 && bytes[index + 1] == UInt8(ascii: "/")) { advance() }
                    index = min(index + 2, bytes.count)
                } else {
                    return
                }
            }
        }

        static func isWordByte(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (0x30...0x39).contains(byte)
        }

        mutating func keyword() -> String {
            let start = index
            while let byte = peek, Self.isWordByte(byte) { advance() }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// A bare word or a quoted name ("x", [x], `x`, 'x'), without its quotes.
        mutating func identifier() -> String {
            guard let open = peek else { return "" }
            let close: UInt8? = switch open {
            case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"): open
            case UInt8(ascii: "["): UInt8(ascii: "]")
            default: nil
            }
            guard let close else { return keyword() }
            advance()
            let start = index
            while let byte = peek, byte != close { advance() }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            if peek != nil { advance() }
            return name
        }
    }
}
