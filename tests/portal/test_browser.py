"""The portal in a real headless chromium against a real `dxgl serve` with its worker and the real
engine: the first-start link, an API key used with requests against /v1, the bundled sample
uploaded by drag-and-drop, the preview arriving, a render ordered from the generated form with its
quote, the video downloaded and probed, CSRF refused, and a second person who cannot reach the
first one's pages or files. Screenshots go to a temporary folder, listed at the end of the run."""
from __future__ import annotations

import re
import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from dxgl_engine.encode.ffmpeg import probe
from dxgl_engine.samples import sample_path
from tests.api.test_e2e import Served

from .conftest import SCREENSHOTS, new_driver

pytestmark = [pytest.mark.gl, pytest.mark.real_engine]

WAIT = 300  # seconds for renders on llvmpipe with two shared cores; never an assertion on speed

DROP_JS = """
const [zone, input] = arguments;
const dt = new DataTransfer();
for (const f of input.files) dt.items.add(f);
for (const type of ['dragenter', 'dragover', 'drop'])
  zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("portal")
    server = Served(folder / "data", folder / "serve.log")
    try:
        server.wait_for(r"serving http://")
        yield server, folder
    finally:
        server.stop()


def until_text(element, predicate, timeout=30):
    """Wait for an element's text to satisfy `predicate`; the failure names the last text seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate(element.text):
            return
        time.sleep(0.1)
    raise AssertionError(f"unexpected text: {element.text!r}")


def shot(driver, folder, name):
    path = folder / f"{len(SCREENSHOTS):02d}-{name}.png"
    driver.save_screenshot(str(path))
    SCREENSHOTS.append(str(path))


def test_portal_in_a_browser(served):
    server, folder = served
    base = f"http://127.0.0.1:{server.port}"
    link = server.wait_for(r"portal sign-in link \(one-time, choose a password there\): (\S+)").group(1)
    assert link.startswith(base + "/welcome/")
    shots, downloads = folder / "screenshots", folder / "downloads"
    shots.mkdir(), downloads.mkdir()
    print(f"\nportal screenshots in {shots}")
    driver = new_driver(downloads)
    wait = WebDriverWait(driver, 30)
    try:
        # First start: the printed one-time link lets the admin choose a password.
        driver.get(link)
        driver.find_element(By.NAME, "password").send_keys("first start password")
        driver.find_element(By.NAME, "confirm").send_keys("first start password", Keys.ENTER)
        wait.until(EC.presence_of_element_located((By.ID, "dropzone")))
        shot(driver, shots, "library-empty")

        # An API key, used from outside the browser.
        driver.get(base + "/keys")
        driver.find_element(By.NAME, "name").send_keys("e2e script")
        driver.find_element(By.CSS_SELECTOR, "#key-form button[type=submit]").click()
        raw = wait.until(EC.presence_of_element_located((By.ID, "new-token"))).get_attribute("value")
        shot(driver, shots, "key-created")
        r = requests.get(base + "/v1/account", headers={"Authorization": f"Bearer {raw}"}, timeout=30)
        assert r.status_code == 200 and r.json()["data"]["email"] == "admin@localhost"
        driver.refresh()
        assert raw not in driver.page_source  # shown once

        # CSRF: a POST from the page's own origin without the token is refused.
        status = driver.execute_async_script(
            "const done = arguments[0]; fetch('/keys', {method: 'POST', body: new URLSearchParams({name: 'x', "
            "scopes: 'all'})}).then(r => done(r.status));")
        assert status == 403

        # Upload the bundled sample by a synthetic drop event carrying a DataTransfer.
        driver.get(base + "/")
        picker = driver.execute_script("const i = document.createElement('input'); i.type = 'file'; "
                                       "i.id = 'drop-source'; document.body.appendChild(i); return i;")
        picker.send_keys(str(sample_path("product")))
        driver.execute_script(DROP_JS, driver.find_element(By.ID, "dropzone"), picker)
        WebDriverWait(driver, 120).until(EC.presence_of_element_located((By.ID, "uploaded-link")))
        assert driver.find_element(By.ID, "upload-progress").get_attribute("value") == "100"
        shot(driver, shots, "uploaded")
        # The free preview appears under the upload by itself (the page polls its render).
        WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "upload-preview")))
        shot(driver, shots, "preview-in-library")
        driver.find_element(By.ID, "uploaded-link").click()
        model_id = re.search(r"/models/(\w+)$", driver.current_url).group(1)

        # The model page lists the preview with its player, and the upload's render (live status).
        WebDriverWait(driver, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "li.render video")))
        shot(driver, shots, "model-page")

        # Order a render from the form generated from the settings table; the quote comes first.
        driver.get(f"{base}/render?models={model_id}")
        Select(driver.find_element(By.NAME, "s0.aspect")).select_by_value("1:1")
        length = driver.find_element(By.NAME, "s0.length")
        length.clear()
        length.send_keys("3")
        quote = driver.find_element(By.ID, "quote")
        until_text(quote, lambda t: t.startswith("This costs 1 credit;"))
        length.clear()
        length.send_keys("2")  # the engine's message, as the desktop panel shows it (admins: up to 600 s)
        until_text(quote, lambda t: t == "renders[0]: length must be from 3 to 600, got 2")
        shot(driver, shots, "render-form-message")
        length.clear()
        length.send_keys("3")
        until_text(quote, lambda t: t.startswith("This costs 1 credit;"))
        shot(driver, shots, "render-form-quote")
        driver.find_element(By.ID, "order").click()
        wait.until(EC.url_contains(f"/models/{model_id}"))
        WebDriverWait(driver, WAIT).until(lambda d: all(
            li.get_attribute("data-status") == "done" for li in d.find_elements(By.CSS_SELECTOR, "li.render")))
        driver.refresh()
        shot(driver, shots, "renders-done")

        # Download the 1:1 video by its link and probe it.
        items = driver.find_elements(By.CSS_SELECTOR, "li.render")
        ordered = next(li for li in items if "share · turntable · 1:1 · 3" in li.text)
        video_url = f"{base}/app/v1/renders/" + ordered.get_attribute("data-render-id") + "/video"
        ordered.find_element(By.LINK_TEXT, "Video").click()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not [p for p in downloads.glob("*.mp4")]:
            time.sleep(0.2)
        video = next(downloads.glob("*.mp4"))
        time.sleep(0.5)  # chromium renames the .crdownload when complete
        info = probe(video)
        assert (info["codec"], info["width"], info["height"], info["frames"]) == ("h264", 540, 540, 90)

        # On a phone-sized screen the library still shows its posters.
        driver.set_window_size(390, 844)
        driver.get(base + "/")
        poster = driver.find_element(By.CSS_SELECTOR, "li.model video")
        assert poster.size["width"] <= 390
        shot(driver, shots, "library-phone")
        driver.set_window_size(1280, 900)

        # A second person, invited by the admin page, signing in with the keyboard only.
        driver.get(base + "/admin")
        driver.find_element(By.CSS_SELECTOR, "#invite-form input[name=email]").send_keys("zoe@example.com")
        driver.find_element(By.CSS_SELECTOR, "#invite-form button").click()
        invite = wait.until(EC.presence_of_element_located((By.ID, "invite-link"))).get_attribute("value")
        shot(driver, shots, "invited")
    finally:
        driver.quit()

    other = new_driver()
    try:
        other.get(invite.replace("http://127.0.0.1:8000", base))
        other.find_element(By.NAME, "password").send_keys("zoe's password", Keys.TAB, "zoe's password", Keys.ENTER)
        WebDriverWait(other, 30).until(EC.presence_of_element_located((By.ID, "dropzone")))
        assert "sample" not in other.find_element(By.ID, "models").text.lower()
        other.get(f"{base}/models/{model_id}")
        assert "There is no such page." in other.page_source
        shot(other, shots, "other-account-404")
        other.get(video_url)
        assert "render_not_found" in other.page_source
        cookies = {c["name"]: c["value"] for c in other.get_cookies()}
        assert requests.get(video_url, cookies=cookies, timeout=30).status_code == 404
    finally:
        other.quit()


def test_missing_chromium_fails_with_the_install_command(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium chromium-driver"):
        new_driver()
