"""CAD4TB API v1, the whole flow against a running mock (`make run`): upload a chest X-ray, look it up, wait for
the CAD4TB score, download the series as a zip, add a TB report and list the reports."""

import _bootstrap  # noqa: F401  (must come first: picks the project's virtualenv)

import argparse
import io
import os
import zipfile

from mockservers.cad4tb.client import Cad4tbAPIError, Cad4tbClient
from mockservers.dicom.synthetic import chest_file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default=os.environ.get("MOCKSERVERS_URL", "http://127.0.0.1:8080") + "/cad4tb")
    parser.add_argument("--username", default="some-username")
    parser.add_argument("--password", default="some-password")
    parser.add_argument("--cleanup", action="store_true", help="delete the demo patient at the end")
    args = parser.parse_args()
    client = Cad4tbClient(args.base_url, args.username, args.password)
    try:
        print(f"1. Upload a synthetic chest DX to some-project/some-archive at {args.base_url} as {args.username}")
        ids = client.upload(chest_file(index=11, PatientID="DEMO-0001"), filename="demo chest (PA).dcm")
        pid, study, series = ids["PatientID"], ids["StudyInstanceUID"], ids["SeriesInstanceUID"]
        print(f"   PatientID {pid}\n   StudyInstanceUID {study}\n   SeriesInstanceUID {series}")
        patient = client.get_patient(pid)
        print(f"2. Patient {patient['PatientName']}, sex {patient['PatientSex']}, born {patient['PatientBirthDate']}")
        for s in client.list_studies(pid):
            print(f"   study {s['StudyInstanceUID']} of {s['StudyDate']}: {s['StudyDescription']}")
        info = client.get_series(pid, study, series)
        print(
            f"   series {info['Modality']} {info['Rows']}x{info['Columns']}: {info['status']} "
            f"({info['status_message']})"
        )
        print("3. Wait for the CAD4TB score")
        scores = client.wait_for_results(pid, study, series, ["CAD4TB 5", "Image quality"], timeout=60)
        for score in scores:
            print(f"   {score['name']} ({score['algorithm']}): {score['value']}")
        bundle = zipfile.ZipFile(io.BytesIO(client.results(pid, study, series, ["CAD4TB 5", "Heatmap"])))
        print(f"   with the heat map, the results come as a zip: {', '.join(bundle.namelist())}")
        archive = zipfile.ZipFile(io.BytesIO(client.get_dicom_zip(pid, study, series)))
        print(f"4. DICOM zip of the series: {', '.join(archive.namelist())}")
        report = client.add_form(
            pid,
            study,
            series,
            "TB report",
            {
                "tb_suspected": scores[0]["value"] >= 60,
                "conclusion": "normal" if scores[0]["value"] < 60 else "abnormal, TB suspected",
                "comment": "demo report",
            },
        )
        print(f"5. Report #{report['id']} added by {report['user']}:")
        print("   " + report["entry_formatted"].replace("\n", "\n   "))
        print(f"   {len(client.list_forms(pid, study, series))} report(s) on the series")
        if args.cleanup:
            client.delete_patient(pid)
            print("6. Patient deleted")
    except Cad4tbAPIError as exc:
        print(f"error: {exc}")
        return 1
    except OSError as exc:
        print(f"error: cannot reach the mock at {args.base_url} ({exc}); is `make run` running?")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
