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
    "slope": "기울기",
    "Nudging one input: f moves by (gradient) × h": (
        "입력 하나를 h만큼: f는 (기울기) × h만큼 움직인다"
    ),
    "local gradients": "국소 기울기",
    "rest of the graph": "그래프의 나머지",
    "upstream": "상류",
    "downstream": "하류",
    "upstream gradient": "상류 기울기",
    "downstream gradient": "하류 기울기",
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
    # 04 활성화 함수와 기울기 소실
    "sigmoid": "시그모이드",
    "tanh": "tanh",
    "ReLU": "ReLU",
    "relu": "ReLU",
    "linear": "활성화 함수 없음",
    "Leaky ReLU (slope 0.1)": "Leaky ReLU (기울기 0.1)",
    "ELU (alpha = 1)": "ELU (alpha = 1)",
    "pre-activation z": "가중합 z",
    "derivatives side by side": "미분끼리 비교",
    "Activation functions and their derivatives (from backward())": (
        "활성화 함수와 그 미분 (backward()로 계산)"
    ),
    "class 0": "클래스 0",
    "class 1": "클래스 1",
    "accuracy": "정확도",
    "The same network with and without a non-linear activation": (
        "비선형 활성화 함수가 있을 때와 없을 때의 같은 신경망"
    ),
    "score z0 (z1 = 0, z2 = -1 held fixed)": "점수 z0 (z1 = 0, z2 = -1 고정)",
    "probability": "확률",
    "Softmax: raising one score takes probability from the others": (
        "소프트맥스: 점수 하나를 올리면 다른 확률이 줄어든다"
    ),
    "out": "출력",
    "layer (1 = nearest the input, out = output layer)": (
        "층 (1 = 입력에 가장 가까운 층, 출력 = 출력층)"
    ),
    "mean |dL/dw| (log scale)": "|dL/dw|의 평균 (로그 눈금)",
    "Gradient size per layer, one backward pass": "층별 기울기 크기 (역전파 한 번)",
    "sigmoid, Xavier": "시그모이드, Xavier",
    "tanh, Xavier": "tanh, Xavier",
    "ReLU, Xavier": "ReLU, Xavier",
    "ReLU, He": "ReLU, He",
    "ln 2: learned nothing": "ln 2: 아무것도 배우지 못함",
    "training loss (binary cross-entropy)": "학습 손실 (이진 교차 엔트로피)",
    "Ten hidden layers, 200 steps of gradient descent": "은닉층 10개, 경사 하강법 200번",
    # 05 손실 함수와 옵티마이저
    "MSE": "평균 제곱 오차(MSE)",
    "cross-entropy": "교차 엔트로피",
    "loss, sample of class 1": "손실, 클래스 1인 샘플",
    "loss, sample of class 0": "손실, 클래스 0인 샘플",
    "|d loss / dz|, sample of class 1": "|d손실/dz|, 클래스 1인 샘플",
    "|d loss / dz|, sample of class 0": "|d손실/dz|, 클래스 0인 샘플",
    "loss": "손실",
    "size of the gradient": "기울기의 크기",
    "logit z (predicted probability = sigmoid(z))": "로짓 z (예측 확률 = sigmoid(z))",
    "Loss for five learning rates": "학습률 다섯 개의 손실",
    "loss L(a, b) (log scale)": "손실 L(a, b) (로그 눈금)",
    "The steep coordinate b, first 25 steps": "가파른 방향 b, 처음 25번",
    "ends at": "도착",
    "Gradient descent from two starts: two different minima": (
        "두 출발점에서의 경사 하강법: 서로 다른 최솟값"
    ),
    "path, 60 steps": "경로, 60번",
    "start": "출발점",
    "minimum": "최솟값",
    "SGD": "SGD",
    "Momentum": "모멘텀(Momentum)",
    "AdaGrad": "AdaGrad",
    "RMSprop": "RMSprop",
    "Adam": "Adam",
    "loss per step, all five": "스텝별 손실, 다섯 개 모두",
    "loss (log scale)": "손실 (로그 눈금)",
    "Five optimizers on L(a, b) = 0.1 a^2 + 2 b^2, all with learning rate 0.1": (
        "L(a, b) = 0.1 a^2 + 2 b^2 위의 옵티마이저 다섯 개, 학습률은 모두 0.1"
    ),
    "step t": "스텝 t",
    "|change of a| in this step (log scale)": "이번 스텝에서 a가 움직인 거리 (로그 눈금)",
    "How far each step moves a, learning rate 0.1": "스텝마다 a가 움직이는 거리, 학습률 0.1",
    "epoch (calls of scheduler.step())": "에폭 (scheduler.step() 호출 횟수)",
    "learning rate alpha": "학습률 alpha",
    "Three schedules starting from alpha = 0.1": "alpha = 0.1에서 시작하는 스케줄러 세 가지",
    "constant alpha = 0.3": "일정한 alpha = 0.3",
    "ExponentialLR(gamma=0.98)": "ExponentialLR(gamma=0.98)",
    "Adam with noisy gradients: a decaying learning rate lets it settle": (
        "잡음 섞인 기울기의 Adam: 학습률을 줄이면 자리를 잡는다"
    ),
    # 07 합성곱과 풀링
    "column": "열",
    "row": "행",
    "input image (5 x 5)": "입력 이미지 (5 x 5)",
    "filter (kernel, 3 x 3)": "필터 (커널, 3 x 3)",
    "feature map (3 x 3)": "특징 맵 (3 x 3)",
    "The red window times the filter, added up, is the red output: -2": (
        "빨간 창과 필터를 곱해 더한 값이 빨간 출력: -2"
    ),
    "shared weight": "공유 가중치",
    "sum of the feature map": "특징 맵의 합",
    "windows covering each pixel": "픽셀마다 그 픽셀을 덮는 창의 수",
    "dL/dx for each pixel": "픽셀마다의 dL/dx",
    "feature map (4 x 4)": "특징 맵 (4 x 4)",
    "max pooling 2 x 2": "최대 풀링 2 x 2",
    "gradient sent back": "돌아온 기울기",
    "Max pooling sends each window's gradient to its winner (orange)": (
        "최대 풀링은 창마다의 기울기를 최댓값(주황)에게만 보낸다"
    ),
    "bar": "막대",
    "cross": "십자",
    "box": "상자",
    "Training images: 8 x 8 pixels, noise added, the shape anywhere": (
        "학습 이미지: 8 x 8 픽셀, 잡음 포함, 도형의 위치는 제각각"
    ),
    "image": "이미지",
    "convolution": "합성곱",
    "filters": "필터",
    "max pooling": "최대 풀링",
    "flatten": "평탄화",
    "fully connected": "완전 연결 층",
    "probabilities": "확률",
    "Training loss (cross-entropy)": "학습 손실 (교차 엔트로피)",
    "training images": "학습 이미지",
    "test images": "테스트 이미지",
    "guessing (1/3)": "찍기 (1/3)",
    "Accuracy": "정확도",
    "filter": "필터",
    "The four learned 3 x 3 filters (red: positive weight, blue: negative)": (
        "학습된 3 x 3 필터 네 개 (빨강: 양수 가중치, 파랑: 음수)"
    ),
    "after filter": "필터",
    "test image": "테스트 이미지",
    "Feature maps after convolution and ReLU (bright: the filter's pattern is there)": (
        "합성곱과 ReLU 뒤의 특징 맵 (밝은 곳: 필터의 패턴이 있는 곳)"
    ),
    # 06 학습 놀이터
    "full batch (60)": "전체 배치 (60)",
    "mini-batch of 20": "미니배치 20",
    "mini-batch of 5": "미니배치 5",
    "loss of each mini-batch of 20": "미니배치(20개)마다의 손실",
    "loss on all 60 points": "60개 전체에 대한 손실",
    "Same number of epochs, different batch sizes": "같은 에폭 수, 다른 배치 크기",
    "loss on all training points": "학습 데이터 전체의 손실",
    "Mini-batch losses are noisy": "미니배치 손실은 들쭉날쭉하다",
    "epoch": "에폭",
    "test, class 0": "테스트, 클래스 0",
    "test, class 1": "테스트, 클래스 1",
    "training, class 0": "학습, 클래스 0",
    "training, class 1": "학습, 클래스 1",
    "training accuracy": "학습 정확도",
    "circles: loss and accuracy": "circles: 손실과 정확도",
    "XOR: loss and accuracy": "XOR: 손실과 정확도",
    "spiral: loss and accuracy": "spiral: 손실과 정확도",
    "plain": "plain (장치 없음)",
    "L2": "L2 정규화",
    "dropout": "드롭아웃",
    "training loss": "학습 손실",
    "test loss": "테스트 손실",
    "loss (binary cross-entropy)": "손실 (이진 교차 엔트로피)",
    "20 training points, a 2-16-16-1 network: training and test loss": (
        "학습 데이터 20개, 2-16-16-1 신경망: 학습 손실과 테스트 손실"
    ),
    "test accuracy": "테스트 정확도",
    "Decision boundaries after 200 steps: training points filled, test points hollow": (
        "200 스텝 뒤의 결정 경계: 학습 점은 채운 표시, 테스트 점은 속이 빈 표시"
    ),
    # 08 순환 신경망과 시간 역전파
    "time step t of the input (0 = the bit to remember, 19 = the last)": (
        "입력의 시점 t (0 = 기억할 비트, 19 = 마지막)"
    ),
    "|d output / d x_t| (log scale)": "|d출력 / d x_t| (로그 눈금)",
    "Gradient reaching each time step, before training": "학습 전, 각 시점에 도달하는 기울기",
    "ln 2: guessing": "ln 2: 찍기",
    "training step (a fresh batch of 16 each)": "학습 스텝 (매번 새 미니배치 16개)",
    "loss (average of the last 15 steps)": "손실 (최근 15스텝 평균)",
    "Learning to remember the first of 20 inputs": "입력 20개 중 첫 번째를 기억하도록 학습",
    "ReLU RNN: the recurrent weight decides vanishing or exploding": (
        "ReLU RNN: 순환 가중치가 소실과 폭주를 가른다"
    ),
    "no clipping": "클리핑 없음",
    "clipped to length 1": "길이 1로 클리핑",
    "training step": "학습 스텝",
    "ReLU RNN, W_hh = 1.25 I, SGD with learning rate 0.01": (
        "ReLU RNN, W_hh = 1.25 I, 학습률 0.01의 SGD"
    ),
    "gradient length before clipping (log scale)": "클리핑 전 기울기의 길이 (로그 눈금)",
    "How long each step's gradient was": "스텝마다의 기울기 길이",
    "loss: each step (thin), average of 10 (thick)": (
        "손실: 스텝마다 (가는 선), 10스텝 평균 (굵은 선)"
    ),
    # 09 어텐션과 작은 GPT
    "the score that moves (column j)": "움직이는 점수 (열 j)",
    "the weight that responds (row i)": "반응하는 가중치 (행 i)",
    "Softmax Jacobian d a_i / d score_j at token 3's scores": (
        "토큰 3의 점수에서 구한 소프트맥스 야코비안 d a_i / d score_j"
    ),
    "masked": "가림",
    "token": "토큰",
    "looked at (key)": "보이는 토큰 (키)",
    "looking (query)": "보는 토큰 (쿼리)",
    "all tokens": "모든 토큰",
    "causal mask": "인과 마스크",
    "Attention weights: each row sums to 1": "어텐션 가중치: 행마다 합이 1",
    "loss of each step's name": "스텝마다의 이름 하나의 손실",
    "average of the last 50 steps": "최근 50스텝 평균",
    "uniform guess": "균등 추측",
    "letter-pair counts, held-out names": "문자 쌍 표, 학습에 안 쓴 이름",
    "GPT after training, held-out names": "학습한 GPT, 학습에 안 쓴 이름",
    "training step (one name each)": "학습 스텝 (스텝마다 이름 하나)",
    "cross-entropy per character": "문자당 교차 엔트로피",
    "Training the small GPT on names": "이름으로 작은 GPT 학습하기",
    # 11 역전파를 코드로
    "generated line": "생성된 코드",
    "upstream × local = amount": "상류 × 국소 = 하류로 보내는 몫",
    "note 000": "노트 000",
    "the 1/2 cancels the 2": "1/2이 2와 상쇄",
    "graph built anew": "새로 만든 그래프",
    "tape replayed": "테이프 재실행",
    "recorded at x = 1": "x = 1에서 기록",
    "x.relu(): decided afresh at each replay": "x.relu(): 재실행마다 새로 판단",
    "Python's if on x.data, taken at x = 1: recorded": (
        "x.data를 본 파이썬 if, x = 1에서 결정: 기록된 그대로"
    ),
    "x (a leaf's data at replay)": "x (재실행 때 잎 노드의 값)",
    "dynamic engine": "동적 엔진",
    "compiled tape": "컴파일한 테이프",
    "hand-written Python": "손으로 쓴 파이썬",
    "One training step (MLP 2-8-8-1, 40 points)": "학습 한 스텝 (MLP 2-8-8-1, 점 40개)",
    "milliseconds per step": "스텝당 밀리초",
    "compiled tape, compiling included": "컴파일한 테이프, 컴파일 시간 포함",
    "compiling has paid for itself": "컴파일 비용을 되찾는 지점",
    "Time for N steps": "N스텝에 걸리는 시간",
    "training steps N": "학습 스텝 수 N",
    "seconds": "초",
    # 10 정규화
    "mean of each batch of 8": "배치(8개)마다의 평균",
    "true mean 5": "실제 평균 5",
    "running_mean follows the batch means": "running_mean은 배치 평균을 따라간다",
    "batches seen": "지금까지 본 배치 수",
    "mean": "평균",
    "true variance 4": "실제 분산 4",
    "running_var, starting from 1": "1에서 시작하는 running_var",
    "variance": "분산",
    "without BatchNorm": "배치 정규화 없음",
    "with BatchNorm": "배치 정규화 있음",
    "Ten sigmoid layers: gradient size per layer": "시그모이드 층 10개: 층별 기울기 크기",
    "Ten sigmoid layers, 100 steps of gradient descent": "시그모이드 층 10개, 경사 하강법 100번",
    "input: 5 samples x 4 features": "입력: 샘플 5개 x 특징 4개",
    "BatchNorm1d: each column mean 0, variance 1": "배치 정규화: 열마다 평균 0, 분산 1",
    "LayerNorm: each row mean 0, variance 1": "층 정규화: 행마다 평균 0, 분산 1",
    "feature": "특징",
    "sample": "샘플",
    "XOR, 30 training points, a 2-24-24-1 network: training and test loss": (
        "XOR, 학습 데이터 30개, 2-24-24-1 신경망: 학습 손실과 테스트 손실"
    ),
}
