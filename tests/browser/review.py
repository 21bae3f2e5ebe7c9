#!/usr/bin/env python3
"""Drives output/review/index.html in headless Chromium (Debian `chromium` + `chromium-driver`, through
Selenium's WebDriver client from PyPI), from disk, offline. Called by tests/integration/review.rs.

  review.py edit INDEX DOWNLOAD_DIR SCREENSHOT CASE FIELD VALUE NOTE
      checks the DOM (cases, crops loaded, highlight boxes on the OCR boxes, no CSP violation), moves
      with the keyboard, edits CASE/FIELD to VALUE with NOTE, exports, and prints the CSV's path.
  review.py show INDEX TEXT
      checks that TEXT is shown literally (escaped) and that no script ran from it.
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


def browser(download_dir=None, size="1200,1600"):
    """Headless Chromium (Debian's) through its driver; mirador.py uses it too."""
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              f"--window-size={size}", "--lang=zh-CN"]:
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if download_dir:
        o.add_experimental_option("prefs", {"download.default_directory": download_dir,
                                            "download.prompt_for_download": False})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    if download_dir:
        d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    return d


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def no_csp_violations(d):
    bad = [e["message"] for e in d.get_log("browser") if "Content Security Policy" in e["message"]
           or e["level"] == "SEVERE"]
    if bad:
        fail("browser console: " + "; ".join(bad))


def edit(index, download_dir, screenshot, case, field, value, note):
    d = browser(download_dir)
    try:
        d.get("file://" + os.path.abspath(index))
        cases = d.find_elements(By.CSS_SELECTOR, "section.case")
        figures = d.find_elements(By.CSS_SELECTOR, "figure.crop")
        if not figures:
            fail("no crops")
        boxes = []
        for fig in figures:
            img = fig.find_element(By.TAG_NAME, "img")
            if not d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img):
                fail("crop image not loaded: " + img.get_attribute("src"))
            cx, cy, cw, ch = map(float, fig.get_attribute("data-crop").split(","))
            ir = img.rect
            for b in fig.find_elements(By.CSS_SELECTOR, ".box"):
                x, y, w, h = map(float, b.get_attribute("data-box").split(","))
                want = (ir["x"] + (x - cx) / cw * ir["width"], ir["y"] + (y - cy) / ch * ir["height"],
                        w / cw * ir["width"], h / ch * ir["height"])
                got = b.rect
                err = max(abs(got["x"] - want[0]), abs(got["y"] - want[1]),
                          abs(got["width"] - want[2]), abs(got["height"] - want[3]))
                if err > 2.0:
                    fail(f"highlight box {got} is not over the OCR box {want}")
                boxes.append(err)
        no_csp_violations(d)
        # Every figure found says why it was taken, in a line a reader sees under its sentence.
        whys = [w for w in d.find_elements(By.CSS_SELECTOR, ".item .why") if w.is_displayed()]
        if len(whys) < len(figures) or not all(w.text.startswith("依据：") and "this community" in w.text for w in whys):
            fail(f"{len(whys)} visible reasons for {len(figures)} figures: {[w.text for w in whys[:3]]}")
        # Keyboard: the first item, then j moves to the next one.
        items = d.find_elements(By.CSS_SELECTOR, ".item")
        items[0].click()
        d.switch_to.active_element.send_keys("j")
        if d.switch_to.active_element != items[1]:
            fail("j did not move to the next item")
        # Filter by flag: only doubtful items stay visible.
        d.execute_script("var s=document.getElementById('flag'); s.value='doubtful'; s.dispatchEvent(new Event('change'));")
        shown = [i for i in items if i.is_displayed()]
        if not all("doubtful" in i.get_attribute("class") for i in shown):
            fail("the doubtful filter shows other items")
        d.execute_script("var s=document.getElementById('flag'); s.value=''; s.dispatchEvent(new Event('change'));")
        # One edit, typed as a reviewer would: focus the item, Enter, type, Escape.
        item = d.find_element(By.CSS_SELECTOR, f'.item[data-case="{case}"][data-field="{field}"]')
        d.execute_script("arguments[0].scrollIntoView(); arguments[0].focus();", item)
        d.switch_to.active_element.send_keys(Keys.ENTER)
        box = d.switch_to.active_element
        if "edit" not in box.get_attribute("class"):
            fail("Enter did not open the edit box")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(value)
        item.find_element(By.CSS_SELECTOR, ".note").send_keys(note)
        d.find_element(By.ID, "reviewer").send_keys("审校员")
        d.find_element(By.ID, "export").click()
        path = os.path.join(download_dir, "corrections.csv")
        for _ in range(100):
            if os.path.exists(path) and os.path.getsize(path) > 0:
                break
            time.sleep(0.1)
        else:
            fail("no corrections.csv downloaded")
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(screenshot)
        print(json.dumps({"csv": path, "cases": len(cases), "crops": len(figures), "boxes": len(boxes)}))
    finally:
        d.quit()


def show(index, text):
    d = browser()
    try:
        d.get("file://" + os.path.abspath(index))
        body = d.find_element(By.TAG_NAME, "body").text
        if text not in body:
            fail(f"{text!r} not shown literally")
        if d.execute_script("return window.__xss === true"):
            fail("a script from the page text ran")
        no_csp_violations(d)
        print(json.dumps({"shown": True}))
    finally:
        d.quit()


if __name__ == "__main__":
    if sys.argv[1] == "edit":
        edit(*sys.argv[2:9])
    else:
        show(*sys.argv[2:4])
