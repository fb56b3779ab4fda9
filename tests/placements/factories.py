"""Small SSDA903 returns written as real CSV files, for import tests."""

from __future__ import annotations

from pathlib import Path

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)

GOOD_HEADER = [
    "C1,1,01/05/2010,WBRI,A123456789012,,",
    "C2,2,14/02/2012,MWBC,,,",
]
GOOD_EPISODES = [
    "C1,01/06/2016,S,C2,N1,U4,PR1,10/10/2017,X1,,DE22 1AB,DE22 1AB,XXXXXXX",
    "C1,10/10/2017,P,C2,N1,U6,PR4,,,,DE22 1AB,DE22 1AB,XXXXXXX",
    "C2,03/03/2018,S,V2,N4,K2,PR4,,,,,,SC123456",
]


def write_return(
    folder: Path,
    *,
    header: list[str] | None = None,
    episodes: list[str] | None = None,
    extra: dict[str, str] | None = None,
) -> Path:
    """Write header.csv and episodes.csv (plus any extra files) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "header.csv").write_text(
        "\n".join([HEADER, *(GOOD_HEADER if header is None else header)]) + "\n"
    )
    (folder / "episodes.csv").write_text(
        "\n".join([EPISODES, *(GOOD_EPISODES if episodes is None else episodes)]) + "\n"
    )
    for name, text in (extra or {}).items():
        (folder / name).write_text(text)
    return folder
