"""The words of synthetic complaints: phrasings per service and per ambiguous topic, in Korean and
English, with the openings, places, times and requests a complaint wraps them in (ours, written
after the 응답소 items of seoul-domain-facts.md §6 and the wording of published 120 Dasan and
응답소 complaints; no real complaint is copied).

A *topic* is what the text says. Every service has its own topic, whose phrasings name it. An
*ambiguous* topic is shared by services of different departments: its phrasings are the same
whichever service lies behind them, so only the context (season, hour, weekday, gu, channel) can
tell them apart (seeds/complaints.py draws which).
"""

from __future__ import annotations

OWN_KO: dict[str, tuple[str, ...]] = {
    "illegal-parking": (
        "불법주차 차량 때문에 통행이 너무 어려워요",
        "차가 인도 위에 올라와서 주차되어 있어요",
        "소화전 앞에 불법주정차 차량이 있습니다",
        "골목에 차를 세워놔서 차가 못 지나갑니다",
        "어린이보호구역에 불법 주차한 차가 있어요",
        "이중주차 때문에 출차를 못하고 있어요",
        "주차금지 구역에 며칠째 차량이 방치되어 있습니다",
        "버스정류장 앞에 택시들이 불법 정차해 있어요",
    ),
    "road-damage": (
        "도로에 포트홀이 생겨서 위험합니다",
        "아스팔트가 깨져서 차가 덜컹거려요",
        "도로가 움푹 패여 있어서 사고 날 것 같아요",
        "보도블럭이 깨지고 들떠 있어요",
        "맨홀 뚜껑 주변 도로가 내려앉았어요",
        "차도 노면이 갈라지고 파손되었습니다",
    ),
    "streetlight-out": (
        "가로등이 고장나서 밤에 너무 어두워요",
        "가로등 불이 며칠째 안 들어와요",
        "가로등이 계속 깜빡거려요",
        "보안등이 꺼져 있습니다 교체 부탁드립니다",
        "가로등 전구가 나간 것 같아요",
    ),
    "illegal-dumping": (
        "쓰레기 무단투기가 너무 심해요",
        "누가 대형폐기물을 몰래 버리고 갔어요",
        "종량제 봉투가 아닌 쓰레기가 잔뜩 쌓여 있어요",
        "전봇대 밑에 쓰레기를 계속 버립니다",
        "음식물 쓰레기를 길에 무단으로 버렸어요",
        "폐가구랑 매트리스가 길에 버려져 있습니다",
    ),
    "waste-bin-full": (
        "쓰레기통이 꽉 차서 넘치고 있어요",
        "휴지통이 가득 차 있어요 수거 부탁드립니다",
        "분리수거함이 넘쳐서 주변이 지저분해요",
        "공공 쓰레기통을 며칠째 안 비웠어요",
        "재활용 수거함이 넘쳐 흘러요",
    ),
    "noise": (
        "밤늦게까지 확성기 소음이 너무 심해요",
        "가게 음악 소리가 너무 커서 잠을 못 자요",
        "새벽마다 오토바이 굉음 때문에 시끄러워요",
        "주점 손님들 소음이 심합니다",
        "소음 때문에 너무 시끄러워서 살 수가 없어요",
        "교회 스피커 소리가 너무 크게 들려요",
    ),
    "air-odour": (
        "공장에서 매캐한 냄새가 계속 나요",
        "매연이 너무 심해서 숨쉬기 힘들어요",
        "공사장 비산먼지가 날려서 창문을 못 엽니다",
        "어디서 타는 냄새가 계속 납니다",
        "페인트 화학 냄새가 심하게 나요",
        "미세먼지 같은 가루가 날아옵니다",
    ),
    "construction-safety": (
        "공사장 가림막이 쓰러질 것 같아요",
        "공사 현장에 안전펜스가 없어서 위험합니다",
        "크레인 작업하는데 신호수가 없어요",
        "공사장 자재가 인도로 떨어질 것 같아요",
        "건물 외벽 공사 비계가 흔들려요",
        "굴착 공사 구간에 안전시설이 없습니다",
    ),
    "illegal-ads": (
        "불법 현수막이 잔뜩 걸려 있어요",
        "전봇대에 전단지가 덕지덕지 붙어 있습니다",
        "불법 광고물 철거해 주세요",
        "에어라이트 풍선 광고가 인도를 막고 있어요",
        "가로수에 현수막을 묶어 놨어요",
        "대출 전단지가 길바닥에 뿌려져 있어요",
    ),
    "street-vendor": (
        "노점상이 인도를 점령하고 있어요",
        "불법 노점 때문에 지나갈 수가 없습니다",
        "포장마차가 보도를 다 막고 있어요",
        "트럭 노점이 매일 불법으로 장사해요",
        "노점 좌판이 횡단보도 앞까지 나와 있어요",
    ),
    "stray-animal": (
        "유기견이 동네를 돌아다녀요",
        "길고양이가 다쳐서 쓰러져 있어요",
        "떠돌이 개가 사람을 위협합니다",
        "버려진 강아지가 며칠째 있어요",
        "들개 여러 마리가 몰려다녀서 무서워요",
    ),
    "flooding": (
        "비만 오면 도로가 침수돼요",
        "빗물받이가 막혀서 물이 안 빠져요",
        "하수구가 역류하고 있습니다",
        "배수구가 낙엽으로 막혔어요",
        "지하차도에 물이 차오르고 있어요",
        "반지하 집 앞까지 빗물이 넘쳐요",
    ),
    "park-facility": (
        "공원 벤치가 부서져 있어요",
        "놀이터 그네가 고장났습니다",
        "공원 운동기구가 망가졌어요",
        "공원 화장실 문이 고장났어요",
        "놀이터 미끄럼틀이 깨져서 아이들이 다칠 것 같아요",
        "공원 음수대에서 물이 안 나와요",
    ),
    "wifi-outage": (
        "공공와이파이가 안 잡혀요",
        "버스정류장 와이파이 연결이 안 됩니다",
        "서울 와이파이 접속이 계속 끊겨요",
        "공공 와이파이 속도가 너무 느려요",
        "무료 와이파이가 며칠째 안 됩니다",
    ),
    "cctv-fault": (
        "방범 CCTV가 고장난 것 같아요",
        "골목 cctv 불이 꺼져 있습니다",
        "CCTV 카메라 방향이 돌아가 있어요",
        "방범용 카메라가 작동을 안 해요",
        "어린이보호구역 cctv가 부서졌어요",
    ),
}
"""Korean phrasings that name the service (each service several)."""

OWN_EN: dict[str, tuple[str, ...]] = {
    "illegal-parking": (
        "a car is illegally parked and blocking the lane",
        "someone parked on the sidewalk again",
        "vehicle parked in front of the fire hydrant",
        "double parked car, I cannot get out",
    ),
    "road-damage": (
        "there is a big pothole in the road",
        "the asphalt is cracked and broken",
        "sidewalk paving blocks are loose and broken",
    ),
    "streetlight-out": (
        "the streetlight is out",
        "street lamp has been flickering all night",
        "the street light bulb is dead",
    ),
    "illegal-dumping": (
        "someone dumped trash illegally",
        "bags of rubbish dumped on the corner",
        "an old sofa was dumped on the street",
    ),
    "waste-bin-full": (
        "the trash bin is overflowing",
        "public bin is full, please empty it",
        "recycling bins are overflowing",
    ),
    "noise": (
        "loud music late at night",
        "very loud noise from the bar every night",
        "motorbikes making noise at dawn",
    ),
    "air-odour": (
        "strong chemical smell from the factory",
        "dust blowing everywhere from the site",
        "thick exhaust fumes, hard to breathe",
    ),
    "construction-safety": (
        "the construction fence is about to fall",
        "no safety barrier at the building site",
        "scaffolding on the building looks unsafe",
    ),
    "illegal-ads": (
        "illegal banners hung along the street",
        "flyers stuck all over the pole",
        "illegal advertisement balloon on the sidewalk",
    ),
    "street-vendor": (
        "street vendors are occupying the sidewalk",
        "illegal stalls all over the pavement",
        "food truck selling illegally every day",
    ),
    "stray-animal": (
        "a stray dog is wandering around",
        "injured cat lying on the street",
        "abandoned puppy near the building",
    ),
    "flooding": (
        "the street floods every time it rains",
        "storm drain is blocked",
        "sewer is backing up",
    ),
    "park-facility": (
        "broken bench in the park",
        "the playground swing is broken",
        "exercise equipment in the park is broken",
    ),
    "wifi-outage": (
        "public wifi is not working",
        "free wifi keeps disconnecting",
        "cannot connect to the seoul wifi",
    ),
    "cctv-fault": (
        "the cctv camera seems broken",
        "security camera is not working",
        "cctv in the alley is turned off",
    ),
}
"""English phrasings that name the service."""

AMBIGUOUS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "water-on-road": (
        (
            "도로에 물이 고여 있어요",
            "길에 물웅덩이가 커서 못 지나가요",
            "차도에 물이 흥건합니다",
            "횡단보도 앞에 물이 안 빠지고 고여 있어요",
        ),
        ("water is pooling on the road", "huge puddle on the street"),
    ),
    "smell": (
        (
            "냄새가 너무 심해요",
            "악취 때문에 창문을 못 열어요",
            "동네에 고약한 냄새가 진동합니다",
        ),
        ("there is a terrible smell", "awful stink in the neighbourhood"),
    ),
    "blocked-sidewalk": (
        (
            "인도를 막고 있어서 지나갈 수가 없어요",
            "보행로가 막혀 있어요",
            "사람이 다닐 길이 없어요 다 막혀 있습니다",
        ),
        ("the sidewalk is completely blocked", "pedestrians cannot pass on the pavement"),
    ),
    "construction-nuisance": (
        (
            "공사 때문에 너무 불편해요",
            "옆 건물 공사 때문에 못 살겠어요",
            "공사장 때문에 매일 힘듭니다",
        ),
        ("the construction next door is unbearable", "the building work is a nightmare"),
    ),
    "dark-alley": (
        (
            "골목이 너무 어두워서 무서워요",
            "밤에 길이 깜깜해서 위험합니다",
            "귀갓길 골목이 어두워서 불안해요",
        ),
        ("the alley is pitch dark at night", "walking home is scary, it is so dark"),
    ),
    "animal-in-park": (
        (
            "공원에 개가 목줄 없이 돌아다녀요",
            "공원에 동물이 돌아다녀서 아이들이 무서워해요",
            "산책로에 개들이 풀려 있어요",
        ),
        ("dogs running loose in the park", "animals roaming around the park"),
    ),
}
"""Ambiguous topics: (Korean phrasings, English phrasings), the same whichever service is meant."""

KICKBOARD_KO = (
    "전동킥보드가 인도에 아무렇게나 세워져 있어요",
    "공유 킥보드가 길을 막고 쓰러져 있어요",
    "전동킥보드 불법 주차 신고합니다",
)
KICKBOARD_EN = ("e-scooters dumped across the sidewalk",)
"""Illegal-parking phrasings that spread during the year (shared e-scooters): the drift in words."""

OPENINGS_KO = ("", "", "", "안녕하세요. ", "수고 많으십니다. ", "민원 넣습니다. ", "신고합니다. ")
PLACES_KO = (
    "주민센터 앞",
    "역 3번 출구 근처",
    "초등학교 정문 앞",
    "사거리 횡단보도 옆",
    "아파트 단지 입구",
    "버스정류장 앞",
    "골목길",
    "전통시장 입구",
    "편의점 앞",
    "먹자골목",
    "도서관 뒤편",
    "주택가 이면도로",
)
TIMES_KO = ("", "", "어제부터 ", "며칠째 ", "오늘 아침에 보니 ", "밤마다 ", "지난주부터 ", "방금 ")
REQUESTS_KO = (
    "",
    " 빠른 조치 부탁드립니다.",
    " 확인 부탁드려요.",
    " 해결해 주세요.",
    " 처리 바랍니다.",
    " 조치해 주세요!",
    " 꼭 좀 해결 부탁드립니다.",
)
DASAN_KO = ("민원인 전화: ", "[120 접수] ", "120 상담 내용 - ")
DASAN_TAIL_KO = (" 현장 확인 요청함.", " 조치 요청.", " 민원인 회신 희망.")

OPENINGS_EN = ("", "", "Hi, ", "Hello. ", "Reporting: ")
PLACES_EN = (
    "near the station exit",
    "in front of the school",
    "at the crossing",
    "by the bus stop",
    "at the apartment entrance",
    "in the alley behind the market",
    "outside the convenience store",
)
REQUESTS_EN = ("", " Please fix it.", " Please send someone.", " Thanks.", " Please check.")

STATIONS_KO = (
    "강남",
    "신촌",
    "홍대입구",
    "잠실",
    "사당",
    "노원",
    "왕십리",
    "건대입구",
    "영등포",
    "구로디지털단지",
    "합정",
    "종로3가",
    "서울대입구",
    "미아",
    "천호",
)
"""Station names for place words; drawn independently of the gu (people name the nearest)."""
