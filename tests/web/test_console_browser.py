"""The console in a real browser: headless Chromium driven by Selenium.

A real fblweb on a free loopback port, over a SQLite store filled through
the real intake path (`fblctl ingest` of ARF reports), with users made by
`fblctl user add`. The send log is written as the milter writes it (the
milter is not part of this test; tests/integration sends through Postfix).

Checks what issue 17 names: log in; filter by a mailing; select two rows;
export CSV and XLSX and find exactly those two rows in the downloaded files;
the mailings chart is there and names the worst mailing; a viewer cannot
remove a suppression; a POST without the CSRF token is refused; a subject
with <script> shows as text. A screenshot of each page goes to
$CONSOLE_SCREENSHOTS (the build folder) for a reviewer.

Nothing here is skipped: Chromium, chromedriver and Selenium come from
scripts/install-deps, and a browser that does not start fails the test.
"""
import csv
import glob
import io
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest

import openpyxl
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

FBLWEB = os.environ.get("FBLWEB", "fblweb")
FBLCTL = os.environ.get("FBLCTL", "fblctl")
SCREENSHOTS = os.environ.get("CONSOLE_SCREENSHOTS", "console-screenshots")
ADMIN_PASSWORD = "correct horse battery"
VIEWER_PASSWORD = "viewer password 1"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def arf(recipient, mailing, subject, number):
    return (
        "From: feedback@fbl.provider.example\r\n"
        "To: fbl@example.com\r\n"
        "Subject: Abuse report\r\n"
        f"Message-ID: <report-{number}@fbl.provider.example>\r\n"
        "Date: Mon, 02 Nov 2026 10:15:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n"
        "--b\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: Test/1.0\r\nVersion: 1\r\n"
        f"Original-Rcpt-To: {recipient}\r\n"
        "Arrival-Date: Mon, 02 Nov 2026 10:15:00 +0000\r\n\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: news@mail.example.com\r\nTo: {recipient}\r\nSubject: {subject}\r\n"
        f"Message-ID: <m{number}@mail.example.com>\r\nX-Mailing-ID: {mailing}\r\n\r\n"
        "Hello.\r\n--b--\r\n")


class Console:
    """fblweb with the console on, and its store and users."""

    def __init__(self, root):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = os.path.join(root, "fblmilter.yaml")
        self.users = os.path.join(root, "console-users")
        self.store = os.path.join(root, "store.db")
        with open(self.config, "w") as out:
            out.write(f"""store:
  backend: sqlite
  sqlite:
    path: {self.store}
logging:
  destination: stderr
  level: info
feedback:
  trust: any
web:
  listen: 127.0.0.1:{self.port}
  threads: 4
  console:
    enabled: true
    users_file: {self.users}
""")
        self.process = None
        self.log_path = os.path.join(root, "fblweb.log")

    def fblctl(self, *args, stdin=""):
        result = subprocess.run([FBLCTL, "-c", self.config, *args], input=stdin.encode(),
                                capture_output=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"fblctl {' '.join(args)} exited {result.returncode}: "
                                 f"{result.stderr.decode()}")
        return result.stdout.decode()

    def fill(self):
        self.fblctl("user", "add", "ada", "--role", "admin", stdin=ADMIN_PASSWORD + "\n")
        self.fblctl("user", "add", "vic", "--role", "viewer", stdin=VIEWER_PASSWORD + "\n")
        reports = [
            ("alice@example.org", "spring-sale", "<script>alert('x')</script> Spring sale"),
            ("bob@example.org", "spring-sale", "Spring sale"),
            ("carol@example.net", "spring-sale", "Spring sale"),
            ("dave@example.com", "autumn-news", "Autumn news"),
        ]
        for number, (recipient, mailing, subject) in enumerate(reports):
            self.fblctl("ingest", "-", stdin=arf(recipient, mailing, subject, number))
        # The send log as the milter writes it: spring-sale 100 sends (3 %),
        # autumn-news 1,000 (0.1 %).
        now = int(time.time() * 1_000_000)
        with sqlite3.connect(self.store) as db:
            rows = [(f"s{i}@mail.example.com", f"r{i}@example.org", f"r{i}@example.org",
                     "spring-sale" if i < 100 else "autumn-news", now) for i in range(1100)]
            db.executemany("INSERT INTO send_log (message_id, recipient_key, recipient, "
                           "mailing_id, sent_at) VALUES (?, ?, ?, ?, ?)", rows)

    def start(self):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([FBLWEB, "-f", "-c", self.config],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"fblweb exited {self.process.returncode}: "
                                     f"{open(self.log_path).read()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("fblweb did not listen")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        self.log.close()


def chromium(download_dir):
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": download_dir,
        "download.prompt_for_download": False,
    })
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": download_dir})
    return driver


class ConsoleInABrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="fbl-console-")
        cls.downloads = os.path.join(cls.root, "downloads")
        os.makedirs(cls.downloads)
        os.makedirs(SCREENSHOTS, exist_ok=True)
        cls.console = Console(cls.root)
        cls.console.fill()
        cls.console.start()
        cls.driver = chromium(cls.downloads)
        cls.driver.implicitly_wait(5)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.console.stop()
        shutil.rmtree(cls.root, ignore_errors=True)

    def open(self, path):
        self.driver.get(self.console.url + path)

    def wait_for_url(self, fragment):
        # A click returns before the browser has followed it.
        WebDriverWait(self.driver, 10).until(expected_conditions.url_contains(fragment))

    def screenshot(self, name):
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, name + ".png"))

    def log_in(self, user, password):
        self.driver.delete_all_cookies()
        self.open("/console/")
        self.assertIn("/console/login", self.driver.current_url)
        self.driver.find_element(By.NAME, "user").send_keys(user)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "form.login button").click()
        # The click returns before the browser has followed the answer.
        self.assertEqual(self.driver.find_element(By.CSS_SELECTOR, "form.who strong").text, user)

    def download(self, before, suffix, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [path for path in glob.glob(os.path.join(self.downloads, "*" + suffix))
                     if path not in before]
            if found and not glob.glob(os.path.join(self.downloads, "*.crdownload")):
                return found[0]
            time.sleep(0.2)
        self.fail(f"no {suffix} download within {timeout}s")

    def post_form(self, action, fields, with_csrf):
        """Submits a form the page did not offer, as a forged page would
        (the console's CSP allows no XMLHttpRequest at all)."""
        self.driver.execute_script("""
            const [action, fields, withCsrf] = arguments;
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            if (withCsrf) {
                fields.csrf = document.querySelector('input[name=csrf]').value;
            }
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement('input');
                input.type = 'hidden';
                input.name = name;
                input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();""", action, fields, with_csrf)
        self.driver.find_element(By.CSS_SELECTOR, "p.message")  # the answer page has loaded

    def select_two_of_spring_sale(self):
        self.open("/console/complaints")
        self.driver.find_element(By.NAME, "mailing").send_keys("spring-sale")
        self.driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
        self.wait_for_url("mailing=spring-sale")  # filters stay in the URL
        boxes = self.driver.find_elements(By.CSS_SELECTOR, "#complaints input[name=id]")
        self.assertEqual(len(boxes), 3)
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#complaints tbody tr")
        chosen = {}
        for row in rows[:2]:
            row.find_element(By.CSS_SELECTOR, "input[name=id]").click()
            chosen[row.get_attribute("data-id")] = row.find_elements(By.TAG_NAME, "td")[2].text
        return chosen

    def export(self, file_format):
        before = set(glob.glob(os.path.join(self.downloads, "*")))
        Select(self.driver.find_element(By.ID, "export-format")).select_by_value(file_format)
        self.driver.find_element(By.ID, "export-button").click()
        return self.download(before, "." + file_format)

    def test_1_login_filter_select_two_and_export_csv_and_xlsx(self):
        self.log_in("vic", VIEWER_PASSWORD)
        self.screenshot("overview")
        chosen = self.select_two_of_spring_sale()
        self.screenshot("complaints")
        path = self.export("csv")
        with open(path, encoding="utf-8-sig", newline="") as exported:
            rows = list(csv.DictReader(exported))
        self.assertEqual(sorted(row["id"] for row in rows), sorted(chosen))
        self.assertEqual(sorted(row["recipient"] for row in rows), sorted(chosen.values()))

        chosen = self.select_two_of_spring_sale()
        path = self.export("xlsx")
        sheet = openpyxl.load_workbook(path, read_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        header, body = values[0], values[1:]
        ids = sorted(str(row[header.index("id")]) for row in body)
        self.assertEqual(ids, sorted(chosen))
        self.assertEqual(sorted(row[header.index("recipient")] for row in body),
                         sorted(chosen.values()))

    def test_2_a_subject_with_script_shows_as_text(self):
        self.log_in("vic", VIEWER_PASSWORD)
        self.open("/console/complaints?mailing=spring-sale")
        cells = [cell.text for cell in self.driver.find_elements(By.CSS_SELECTOR, "td.subject")]
        self.assertIn("<script>alert('x')</script> Spring sale", cells)
        # Shown, never run: the page has no alert and no injected element.
        self.assertEqual(self.driver.execute_script("return document.scripts.length"), 1)

    def test_3_the_mailings_chart_names_the_worst_mailing(self):
        self.log_in("vic", VIEWER_PASSWORD)
        self.open("/console/mailings")
        self.screenshot("mailings")
        chart = self.driver.find_element(By.CSS_SELECTOR, "svg#mailings-by-rate")
        bars = chart.find_elements(By.CSS_SELECTOR, "text.bar-label")
        self.assertEqual(bars[0].text, "spring-sale")  # 3 % beats 0.1 %
        self.assertIsNotNone(self.driver.find_element(By.CSS_SELECTOR, "svg#rate-per-day"))
        self.driver.find_element(By.LINK_TEXT, "spring-sale").click()
        self.wait_for_url("mailing=spring-sale")

    def test_4_a_viewer_cannot_remove_a_suppression(self):
        self.log_in("vic", VIEWER_PASSWORD)
        self.open("/console/suppressions?q=alice")
        self.screenshot("suppressions")
        self.assertIn("alice@example.org", self.driver.page_source)
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "form.remove button"), [])
        # Sending the admin's form by hand is refused too.
        self.post_form("/console/suppressions/remove",
                       {"key": "alice@example.org", "note": "viewer tries"}, with_csrf=True)
        self.assertIn("This needs the admin role.", self.driver.page_source)
        self.open("/console/suppressions?q=alice")
        self.assertIn("alice@example.org", self.driver.page_source)

    def test_5_a_post_without_the_csrf_token_is_refused(self):
        self.log_in("ada", ADMIN_PASSWORD)
        self.open("/console/suppressions?q=bob")
        self.post_form("/console/suppressions/remove",
                       {"key": "bob@example.org", "note": "no token"}, with_csrf=False)
        self.assertIn("The form was not accepted", self.driver.page_source)
        self.open("/console/suppressions?q=bob")
        self.assertIn("bob@example.org", self.driver.page_source)
        for page in ("untrusted", "outbox"):
            self.open(f"/console/{page}")
            self.screenshot(page)


if __name__ == "__main__":
    unittest.main()
