"""한국어판 노트북의 도우미: 영어판 `../course.py`의 코드에 그림 속 글자와 글꼴만 바꿉니다.

(The Korean edition's helper: the English helper's code, with Korean figure text and a CJK font.)
Code cells are identical in both editions, so a label used in a notebook as `course.t("...")`
needs its Korean text here; a test checks that none is missing.
"""

from pathlib import Path

# Run the English helper's code in this module, so its functions read the settings below.
_korean_doc = __doc__
_english = Path(__file__).parents[1] / "course.py"
exec(compile(_english.read_text(encoding="utf-8"), str(_english), "exec"))
__doc__ = _korean_doc

LANGUAGE = "ko"
STRICT = True
FONT = "Noto Sans CJK KR"  # Debian's fonts-noto-cjk; `make test` installs it when missing
LABELS = {
    # 01 연쇄 법칙
    "nudge h": "입력의 변화량 h",
    "change in f": "f의 변화량",
    "Nudging one input: f moves by (gradient) × h": "입력을 h만큼 움직이면 f는 (기울기)×h만큼",
}
