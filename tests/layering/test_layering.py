"""The build's layering (issue 15): no folder includes or links a folder
above it in DESIGN.md's table. scripts/include-graph decides; these tests
show it passes on the tree and fails on a back-include or a back-link."""
import os
import shutil
import subprocess
import tempfile
import unittest

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(SOURCE, "scripts", "include-graph")


def check(root):
    return subprocess.run([SCRIPT, "--check", "--root", root], capture_output=True, text=True)


class Layering(unittest.TestCase):
    def test_the_tree_is_layered(self):
        result = check(SOURCE)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("layering OK", result.stdout)

    def copy_of_the_tree(self, work):
        for folder in ("common", "config", "feedback_loop", "suppression", "store", "crm",
                       "intake", "milter", "cli"):
            shutil.copytree(os.path.join(SOURCE, folder), os.path.join(work, folder))

    def test_a_back_include_fails(self):
        with tempfile.TemporaryDirectory() as work:
            self.copy_of_the_tree(work)
            self.assertEqual(check(work).returncode, 0)
            with open(os.path.join(work, "feedback_loop", "trust.cpp"), "a") as out:
                out.write('#include "intake/intake.h"\n')
            result = check(work)
            self.assertEqual(result.returncode, 1)
            self.assertIn("feedback_loop/trust.cpp:", result.stderr)
            self.assertIn("feedback_loop/ may not use intake/", result.stderr)

    def test_a_back_link_fails(self):
        with tempfile.TemporaryDirectory() as work:
            self.copy_of_the_tree(work)
            with open(os.path.join(work, "suppression", "CMakeLists.txt"), "a") as out:
                out.write("target_link_libraries(fbl_suppression PUBLIC fbl_milter_core)\n")
            result = check(work)
            self.assertEqual(result.returncode, 1)
            self.assertIn("suppression/ may not use milter/", result.stderr)


if __name__ == "__main__":
    unittest.main()
