/// RFC 4180 text: what `tessera query --format csv` and `tessera export nuclei` write.
public enum CSVText {
    /// `text` as one field: quoted (with its quotes doubled) where it holds a comma, a quote or a line break.
    public static func field(_ text: String) -> String {
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    /// One record: the fields joined by commas, ended by CRLF.
    public static func record(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\r\n" }
}
