import Foundation
import Testing
import TesseraTestSupport

/// Issue 28, item 9: `scripts/bootstrap` installs what building and running need, no test tools; `scripts/test`
/// installs those itself; `.ci/run` leaves it to `scripts/test`. One list, in scripts/install-packages.
@Suite struct SetUpScriptsTests {
    static let root = Fixtures.repositoryRoot

    func script(_ path: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    }

    func list(_ group: String) throws -> [String] {
        let output = try ChildProcess.run(URL(fileURLWithPath: "/bin/bash"),
                                          [Self.root.appendingPathComponent("scripts/install-packages").path, "--list", group])
        #expect(output.status == 0, "\(output.stderr)")
        return output.stdout.split(separator: "\n").map(String.init)
    }

    @Test func bootstrapInstallsOnlyWhatBuildingAndRunningNeed() throws {
        let build = try list("build")
        #expect(build == ["libopenslide-dev", "libtiff-dev", "libsqlite3-dev", "libdnnl-dev", "zlib1g-dev",
                          "libjpeg62-turbo-dev"])
        // Every apt provider Package.swift names for a system library is in the list.
        let manifest = try script("Package.swift")
        for match in manifest.matches(of: /\.apt\(\["([^"]+)"\]\)/) {
            #expect(build.contains(String(match.1)), "Package.swift needs \(match.1)")
        }
        let bootstrap = try script("scripts/bootstrap")
        #expect(bootstrap.contains("\nscripts/install-packages build\n"))
        for tool in ["apt-get", "chromium", "slurm-wlm", "munge", "debootstrap", "lintian", "libvips-tools"] {
            #expect(!bootstrap.contains(tool), "scripts/bootstrap still names \(tool)")
        }
    }

    @Test func testScriptInstallsItsOwnToolsBeforeBuilding() throws {
        let test = try list("test")
        let build = try list("build")
        #expect(Array(test.prefix(build.count)) == build)
        for tool in ["python3-venv", "python3-pip", "libvips-tools", "time", "chromium", "slurm-wlm", "munge",
                     "debootstrap", "lintian", "dpkg-dev"] {
            #expect(test.contains(tool), "scripts/install-packages test lacks \(tool)")
        }
        let script = try script("scripts/test")
        let install = try #require(script.range(of: "\nscripts/install-packages test\n"))
        let building = try #require(script.range(of: "\nswift build --build-tests\n"))
        #expect(install.lowerBound < building.lowerBound)
        let ci = try self.script(".ci/run")
        #expect(ci.contains("exec ./scripts/test"))
        #expect(!ci.contains("apt-get install"), ".ci/run keeps a second list of packages")
    }
}
