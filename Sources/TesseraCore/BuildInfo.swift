/// Where this build came from, for run provenance and `tessera --version`.
///
/// Fixed when the binary is built: the TesseraBuildInfo plugin (Plugins/TesseraBuildInfo) runs
/// scripts/generate-build-info at every build, which writes `GeneratedBuildInfo` from the checkout's git state. A
/// binary built last week and run by cron records last week's commit, whatever checkout (if any) is there today.
public enum BuildInfo {
    /// The git commit the binary was built from, with "-dirty" when tracked files had uncommitted changes; nil for a
    /// build outside a checkout (a source tarball built without TESSERA_GIT_COMMIT).
    public static let gitCommit: String? = GeneratedBuildInfo.commit.map { GeneratedBuildInfo.dirty ? $0 + "-dirty" : $0 }

    /// The day the binary was built, UTC, as YYYY-MM-DD (SOURCE_DATE_EPOCH's day when that was set).
    public static let buildDate: String = GeneratedBuildInfo.buildDate

    /// What `tessera --version` prints: the version, the commit and the build date, one per line.
    public static var versionText: String {
        "\(TesseraVersion.string)\ncommit \(gitCommit ?? "unknown (not built from a git checkout)")\nbuilt \(buildDate)"
    }
}
