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
    # 02 뉴런
    "input": "입력",
    "bias": "편향",
    "weight": "가중치",
    "weighted sum": "가중합",
    "activation function": "활성화 함수",
    "local gradient": "국소 기울기",
    # 03 2-2-2 신경망
    "input layer": "입력층",
    "hidden layer": "은닉층",
    "output layer": "출력층",
    "weighted sum into h1": "h1의 가중합",
    "weighted sum into h2": "h2의 가중합",
    "weighted sum into o1": "o1의 가중합",
    "weighted sum into o2": "o2의 가중합",
    "hidden output": "은닉층 출력",
    "output": "출력",
    "error of o1": "o1의 오차",
    "error of o2": "o2의 오차",
    "total error": "전체 오차",
    "output error": "출력층 오차",
    "sigmoid's local gradient": "시그모이드 국소 기울기",
    "the input W5 multiplies": "W5에 곱해지는 입력",
    "the input W1 multiplies": "W1에 곱해지는 입력",
    "the chain rule: the three multiplied": "연쇄 법칙: 세 인수의 곱",
    "what backward() computed": "backward()가 구한 값",
    "= dE/do1": "= dE/do1",
    "= dE/do1 * do1/dz3": "= dE/do1 * do1/dz3",
    "path through o1": "o1을 거치는 경로",
    "path through o2": "o2를 거치는 경로",
    "the two paths add up": "두 경로의 합",
    "by hand": "손 계산",
    "Total error falls": "전체 오차가 줄어든다",
    "step": "갱신 횟수",
    "E_total (log scale)": "E_total (로그 눈금)",
    "Outputs approach their targets": "출력이 목표값에 다가간다",
    "target": "목표값",
}
