"""The man pages and the packaged configuration stay in step with the code.

- fblmilter.yaml(5) names every key of config/fblmilter.yaml;
- fblctl(8) documents exactly the commands `fblctl --help` lists;
- fblmilter(8) and fblweb(8) document every option of their --help;
- every page renders with scdoc;
- packaging/make-config yields a file `fblmilter --check-config` accepts;
- the systemd units have the settings issue 9 (fblweb: issue 16) asks for,
  and fblweb.service is hardened exactly like fblmilter.service.

Environment: FBLMILTER, FBLCTL, FBLWEB (built binaries), FBL_SOURCE_DIR.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SOURCE = os.environ.get("FBL_SOURCE_DIR",
                        os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
MAN = os.path.join(SOURCE, "packaging", "man")
FBLMILTER = os.environ.get("FBLMILTER", "fblmilter")
FBLCTL = os.environ.get("FBLCTL", "fblctl")
FBLWEB = os.environ.get("FBLWEB", "fblweb")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def yaml_key_paths(text):
    """Dotted paths of the mapping keys of an annotated YAML file, by
    indentation; keys inside list items (examples) are not configuration
    keys of their own."""
    paths = []
    stack = []  # (indent, key)
    list_item_indent = None  # inside "- key: ..." and its continuation lines
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped.strip():
            continue
        indent = len(stripped) - len(stripped.lstrip())
        if list_item_indent is not None and indent > list_item_indent:
            continue
        list_item_indent = None
        if stripped.lstrip().startswith("- "):
            list_item_indent = indent
            continue
        match = re.match(r"^( *)([A-Za-z_][A-Za-z0-9_]*):", stripped)
        if not match:
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match.group(2)))
        paths.append(".".join(key for _, key in stack))
    return paths


def leaf_paths(paths):
    return [p for p in paths if not any(other.startswith(p + ".") for other in paths)]


def subcommands(help_text):
    """Names listed under 'Subcommands:' in CLI11's help."""
    names = []
    in_section = False
    for line in help_text.splitlines():
        if line.strip() == "Subcommands:" or line.strip() == "SUBCOMMANDS:":
            in_section = True
            continue
        if in_section:
            match = re.match(r"^  (\S+)", line)
            if match:
                names.append(match.group(1))
            elif line.strip() == "" and names:
                in_section = False
    return names


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def unavailable(why):
    """A skip on a developer's machine, a failure under CI=true, where every
    tool scripts/install-deps names must be there."""
    if os.environ.get("CI") == "true":
        return AssertionError(f"required in CI: {why}")
    return unittest.SkipTest(why)


class ConfigReference(unittest.TestCase):
    def test_every_config_key_is_in_fblmilter_yaml_5(self):
        page = read(os.path.join(MAN, "fblmilter.yaml.5.scd"))
        keys = leaf_paths(yaml_key_paths(read(os.path.join(SOURCE, "config", "fblmilter.yaml"))))
        self.assertGreater(len(keys), 50)
        missing = []
        for key in keys:
            # The page groups a few keys on one line: "*outbound.reply.code* (...), *...xcode*"
            if f"*{key}*" not in page:
                missing.append(key)
        self.assertEqual(missing, [], "keys without an entry in fblmilter.yaml(5)")

    def test_packaged_config_passes_check_config(self):
        with tempfile.TemporaryDirectory() as work:
            packaged = os.path.join(work, "fblmilter.yaml")
            result = run(os.path.join(SOURCE, "packaging", "make-config"),
                         os.path.join(SOURCE, "config", "fblmilter.yaml"), packaged)
            self.assertEqual(result.returncode, 0, result.stderr)
            text = read(packaged)
            self.assertIn("    path: /var/lib/fblmilter/fblmilter.db", text)
            self.assertIn("  destination: syslog", text)
            self.assertIn("  user: fblmilter", text)
            self.assertEqual(yaml_key_paths(text),
                             yaml_key_paths(read(os.path.join(SOURCE, "config", "fblmilter.yaml"))))
            # The package creates /var/lib/fblmilter; this host need not have
            # it (packaging_deb purges it), so the store goes to a directory
            # the daemon's user can write, and everything else is checked.
            store_dir = os.path.join(work, "var")
            os.mkdir(store_dir)
            os.chmod(work, 0o755)
            os.chmod(store_dir, 0o1777)
            with open(packaged, "w") as out:
                out.write(text.replace("/var/lib/fblmilter/fblmilter.db",
                                       os.path.join(store_dir, "fblmilter.db")))
            check = run(FBLMILTER, "--check-config", "-c", packaged)
            self.assertEqual(check.returncode, 0, check.stderr)

    def test_make_config_refuses_a_source_it_does_not_recognise(self):
        with tempfile.TemporaryDirectory() as work:
            changed = os.path.join(work, "changed.yaml")
            with open(changed, "w") as out:
                out.write(read(os.path.join(SOURCE, "config", "fblmilter.yaml"))
                          .replace("var/fblmilter.db", "elsewhere.db"))
            target = os.path.join(work, "out.yaml")
            result = run(os.path.join(SOURCE, "packaging", "make-config"), changed, target)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("var/fblmilter.db", result.stderr)
            self.assertFalse(os.path.exists(target))


class CommandReference(unittest.TestCase):
    def test_fblctl_8_documents_exactly_the_commands(self):
        page = read(os.path.join(MAN, "fblctl.8.scd"))
        section = page[page.index("# COMMANDS"):page.index("# EXIT STATUS")]
        documented = set(re.findall(r"^\*([a-z]+(?: [a-z]+)?)\*", section, re.MULTILINE))
        top = subcommands(run(FBLCTL, "--help").stdout)
        self.assertIn("check", top)
        actual = set(top)
        for group in top:
            nested = subcommands(run(FBLCTL, group, "--help").stdout)
            actual.update(f"{group} {name}" for name in nested)
            # A group is a command of its own too when it acts without a
            # subcommand (`complaints`, beside `complaints reevaluate`).
            if nested and group not in documented:
                actual.discard(group)
        self.assertEqual(sorted(actual - documented), [], "commands missing from fblctl(8)")
        self.assertEqual(sorted(documented - actual), [], "fblctl(8) documents absent commands")

    def test_fblmilter_8_documents_every_option(self):
        self.assert_documents_every_option("fblmilter.8.scd", FBLMILTER)

    def test_fblweb_8_documents_every_option(self):
        self.assert_documents_every_option("fblweb.8.scd", FBLWEB)

    def assert_documents_every_option(self, page_name, binary):
        page = read(os.path.join(MAN, page_name))
        options = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", run(binary, "--help").stdout))
        self.assertIn("--check-config", options)
        missing = [o for o in sorted(options) if f"*{o}*" not in page]
        self.assertEqual(missing, [], f"options missing from {page_name}")


class ManPagesRender(unittest.TestCase):
    def test_every_page_renders(self):
        if shutil.which("scdoc") is None:
            raise unavailable("scdoc is not installed (scripts/install-deps)")
        pages = [p for p in os.listdir(MAN) if p.endswith(".scd")]
        self.assertEqual(sorted(pages), ["fblctl.8.scd", "fblmilter.8.scd", "fblmilter.yaml.5.scd",
                                         "fblweb.8.scd"])
        for page in pages:
            with open(os.path.join(MAN, page), "rb") as source:
                result = subprocess.run(["scdoc"], stdin=source, capture_output=True)
            self.assertEqual(result.returncode, 0, f"{page}: {result.stderr.decode()}")
            self.assertIn(b".TH", result.stdout)


MAIN_CF_LINE = re.compile(r"^([a-z][a-z0-9_]*) = ?(.*)$")
MASTER_CF_LINE = re.compile(r"^\S+\s+(inet|unix|unix-dgram|fifo|pass)\s")


def fenced_blocks(text):
    """The contents of ``` fenced blocks (any info string), in order."""
    return re.findall(r"(?ms)^ *```[^\n]*\n(.*?)^ *```", text)


def postfix_blocks():
    """(file, kind, lines) for each main.cf or master.cf block of README.md
    and docs/*.md: a block is main.cf when all its lines are `name = value`,
    continuations or comments, master.cf when it holds a service line."""
    files = [os.path.join(SOURCE, "README.md")] + sorted(
        os.path.join(SOURCE, "docs", name) for name in os.listdir(os.path.join(SOURCE, "docs"))
        if name.endswith(".md"))
    found = []
    for path in files:
        for block in fenced_blocks(read(path)):
            lines = [line for line in block.splitlines() if line.strip()]
            if not lines:
                continue
            content = [line for line in lines if not line.lstrip().startswith("#")]
            if any(MASTER_CF_LINE.match(line) for line in content):
                found.append((path, "master.cf", lines))
            elif content and MAIN_CF_LINE.match(content[0]) and all(
                    MAIN_CF_LINE.match(line) or line[0] in " \t" for line in content):
                found.append((path, "main.cf", lines))
    return found


class PostfixSnippets(unittest.TestCase):
    """Every main.cf/master.cf block of the docs pastes cleanly: Postfix has
    no trailing comments, so `x = y   # why` makes '# why' part of x."""

    def setUp(self):
        if shutil.which("postconf") is None:
            raise unavailable("postconf is not installed (scripts/install-deps)")

    def test_readme_and_docs_have_the_blocks(self):
        blocks = postfix_blocks()
        readme = [b for b in blocks if b[0].endswith("README.md")]
        self.assertGreaterEqual(len([b for b in readme if b[1] == "main.cf"]), 2)
        self.assertGreaterEqual(len([b for b in readme if b[1] == "master.cf"]), 1)

    def test_main_cf_blocks_mean_what_they_say(self):
        for path, kind, lines in postfix_blocks():
            if kind != "main.cf":
                continue
            with tempfile.TemporaryDirectory() as config_dir:
                with open(os.path.join(config_dir, "main.cf"), "w") as out:
                    out.write("\n".join(lines) + "\n")
                open(os.path.join(config_dir, "master.cf"), "w").close()
                expected = {}
                name = None
                for line in lines:
                    if line.lstrip().startswith("#"):
                        continue
                    match = MAIN_CF_LINE.match(line)
                    if match:
                        name = match.group(1)
                        expected[name] = match.group(2).strip()
                    else:
                        expected[name] += " " + line.strip()
                for name, meant in expected.items():
                    got = run("postconf", "-c", config_dir, "-h", name)
                    self.assertEqual(got.returncode, 0, f"{path}: {name}: {got.stderr}")
                    self.assertNotIn("#", got.stdout, f"{path}: {name} has a trailing comment")
                    self.assertEqual(got.stdout.strip(), meant.split("#")[0].strip(),
                                     f"{path}: {name}")
                    self.assertNotIn("warning", got.stderr, f"{path}: {name}: {got.stderr}")

    def test_master_cf_blocks_parse_without_comments_in_values(self):
        for path, kind, lines in postfix_blocks():
            if kind != "master.cf":
                continue
            with tempfile.TemporaryDirectory() as config_dir:
                open(os.path.join(config_dir, "main.cf"), "w").close()
                with open(os.path.join(config_dir, "master.cf"), "w") as out:
                    out.write("\n".join(lines) + "\n")
                services = run("postconf", "-c", config_dir, "-M")
                self.assertEqual(services.returncode, 0, f"{path}: {services.stderr}")
                self.assertNotIn("warning", services.stderr, f"{path}: {services.stderr}")
                self.assertNotIn("#", services.stdout, f"{path}: a comment inside a service")
                for line in lines:
                    if MASTER_CF_LINE.match(line):
                        self.assertIn(line.split()[0], services.stdout, path)


class SystemdUnit(unittest.TestCase):
    REQUIRED = [
        "Type=notify",
        "ExecStart=/usr/sbin/fblmilter -f -c /etc/fblmilter/fblmilter.yaml",
        "ExecReload=/bin/kill -USR1 $MAINPID",
        "User=fblmilter",
        "RuntimeDirectory=fblmilter",
        # A unix socket there belongs to group fblmilter-socket (postfix is
        # in it), not to group fblmilter (which reads store and secrets).
        "ExecStartPre=+/bin/chgrp fblmilter-socket /run/fblmilter",
        "ExecStartPre=+/bin/chmod 2750 /run/fblmilter",
        "StateDirectory=fblmilter",
        "Restart=on-failure",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "SystemCallFilter=@system-service",
    ]

    def test_unit_has_what_issue_9_asks_for(self):
        lines = read(os.path.join(SOURCE, "packaging", "fblmilter.service")).splitlines()
        for setting in self.REQUIRED:
            self.assertIn(setting, lines)

    def test_exposure_is_low(self):
        for unit in ("fblmilter.service", "fblweb.service"):
            self.assert_exposure_is_low(unit)

    def assert_exposure_is_low(self, unit):
        if shutil.which("systemd-analyze") is None:
            raise unavailable("systemd-analyze is not installed")
        result = run("systemd-analyze", "security", "--offline=true",
                     os.path.join(SOURCE, "packaging", unit))
        match = re.search(rf"Overall exposure level for {unit}: ([0-9.]+)", result.stdout)
        if match is None:
            raise unavailable("this systemd-analyze cannot rate unit files offline")
        self.assertLessEqual(float(match.group(1)), 2.0, result.stdout[-2000:])


class WebUnit(unittest.TestCase):
    REQUIRED = [
        "Type=notify",
        "ExecStartPre=/usr/sbin/fblweb --check-config -c /etc/fblmilter/fblmilter.yaml",
        "ExecStart=/usr/sbin/fblweb -f -c /etc/fblmilter/fblmilter.yaml",
        "ExecReload=/bin/kill -USR1 $MAINPID",
        "User=fblmilter",
        "StateDirectory=fblmilter",
        "Restart=on-failure",
    ]
    HARDENING_START = "ProtectSystem=strict"

    @staticmethod
    def hardening(unit):
        """The lines from ProtectSystem= to the [Install] section."""
        lines = read(os.path.join(SOURCE, "packaging", unit)).splitlines()
        start = lines.index(WebUnit.HARDENING_START)
        return lines[start:lines.index("[Install]")]

    def test_unit_has_what_issue_16_asks_for(self):
        lines = read(os.path.join(SOURCE, "packaging", "fblweb.service")).splitlines()
        for setting in self.REQUIRED:
            self.assertIn(setting, lines)

    def test_hardened_like_fblmilter(self):
        self.assertEqual(self.hardening("fblweb.service"), self.hardening("fblmilter.service"))

    def test_does_not_own_fblmilters_runtime_directory(self):
        # Stopping fblweb must not remove /run/fblmilter (the milter socket).
        lines = read(os.path.join(SOURCE, "packaging", "fblweb.service")).splitlines()
        self.assertFalse([line for line in lines if line.startswith("RuntimeDirectory")])


if __name__ == "__main__":
    unittest.main()
