/// Tessera's own version, stored with every run for provenance.
public enum TesseraVersion {
    public static let string = "0.1.0"
}
