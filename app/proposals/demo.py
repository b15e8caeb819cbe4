"""Demo triage and proposals (idempotent): ideas answered in every status, and
proposals in every state, linked to the demo plans, with assessments.

Depends on the base accounts and on the plans demo ("app.plans.demo"), which
must run first. It submits its own residents' ideas (matched by area and
title) rather than relying on another loader's content, and goes through the
same services as the pages, so every rule, audit entry and notification
applies. Ideas and answers are then back-dated so that the response-time
figures look like a real year. Proposals are matched by area and title.

The cycles demo builds ballots from the shortlisted proposals: at least four
for เทศบาลนครเชียงใหม่ (3500102) and four for the province (50).
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Optional

from flask import current_app, has_request_context
from sqlalchemy import select

from app.areas.services import get_area_by_code
from app.core.timeutil import utcnow
from app.demo.base import demo_user
from app.demo.registry import FORGOTTEN, recall, remember
from app.extensions import db
from app.ideas.models import Idea, IdeaCategory, IdeaStatus
from app.plans.models import Plan, PlanItem
from app.proposals import services
from app.proposals.models import Proposal, ProposalState, Recommendation
from app.triage import services as triage
from app.triage.models import IdeaStatusChange

S = IdeaStatus
P = ProposalState
C = IdeaCategory

OFFICERS = {"50": "official@demo.ruamkhit.th", "3500102": "officer@demo.ruamkhit.th", "5500107": "officer2@demo.ruamkhit.th"}
EVALUATOR = "evaluator@demo.ruamkhit.th"


@dataclass
class DemoIdea:
    key: str
    area: str
    author: int  # resident number 1..4
    title: str
    description: str
    category: IdeaCategory
    days_ago: int
    supporters: tuple[int, ...] = ()
    # (status, days after submission, answer); "refer:<code>" and "merge:<key>" as the status for those.
    steps: tuple[tuple[str, int, str], ...] = ()


IDEAS = [
    DemoIdea("footpath", "3500102", 1, "ทางเท้าถนนท่าแพชำรุด รถเข็นผ่านไม่ได้",
             "ทางเท้าฝั่งประตูท่าแพถึงวัดแสนฝางแตกและยกตัวหลายจุด ผู้สูงอายุและคนนั่งรถเข็นต้องลงไปเดินบนถนน",
             C.INFRASTRUCTURE, 200, (2, 3, 4), (("under_review", 4, "กองช่างออกสำรวจพื้นที่แล้ว"),)),
    DemoIdea("lights", "3500102", 2, "ซอยวัดเกตมืดมาก อยากได้ไฟและกล้องวงจรปิด",
             "ซอยข้างวัดเกตการามไม่มีไฟส่องสว่างช่วงกลางซอย มีเหตุวิ่งราวกระเป๋าบ่อย ขอไฟ LED และกล้องวงจรปิด",
             C.SAFETY, 180, (1, 3), (("under_review", 6, "รับเรื่องแล้ว กำลังประสานการไฟฟ้าส่วนภูมิภาค"),)),
    DemoIdea("lights-dup", "3500102", 3, "ไฟในซอยวัดเกตดับหลายต้น",
             "เสาไฟในซอยวัดเกตดับไปสามต้น กลางคืนเดินกลับบ้านแล้วน่ากลัว",
             C.SAFETY, 170, (2, 4),
             (("merge:lights", 3, "เรื่องเดียวกับข้อเสนอเรื่องไฟและกล้องในซอยวัดเกต จึงรวมไว้ด้วยกัน เสียงสนับสนุนนับรวมแล้ว"),)),
    DemoIdea("flood", "3500102", 4, "น้ำท่วมขังถนนช้างคลานทุกครั้งที่ฝนตก",
             "ฝนตกหนักเพียงครึ่งชั่วโมง น้ำก็ท่วมขังหน้าตลาดอนุสารถึงถนนช้างคลาน รางระบายน้ำตื้นเขิน",
             C.WATER, 160, (1, 2, 3), (("under_review", 10, "อยู่ระหว่างตรวจสอบแนวท่อระบายน้ำ"),)),
    DemoIdea("wastebank", "3500102", 1, "อยากให้มีธนาคารขยะในชุมชนวัดศรีสุพรรณ",
             "ชุมชนพร้อมคัดแยกขยะรีไซเคิลถ้ามีจุดรับซื้อและรถเก็บตามรอบ",
             C.ENVIRONMENT, 150, (3,), ()),
    DemoIdea("pocketpark", "3500102", 2, "ขอสวนหย่อมเล็ก ๆ ริมคลองแม่ข่า",
             "ที่ดินว่างริมคลองแม่ข่าช่วงชุมชนกำแพงงามน่าจะทำเป็นสวนหย่อมให้เด็กและผู้สูงอายุ",
             C.ENVIRONMENT, 140, (1, 4), (("under_review", 20, "กำลังตรวจสอบกรรมสิทธิ์ที่ดิน"),)),
    DemoIdea("overpass", "3500102", 3, "ขอสะพานลอยหน้าโรงเรียนริมถนนซุปเปอร์ไฮเวย์",
             "นักเรียนข้ามถนนหกช่องจราจรทุกเช้า รถวิ่งเร็วมาก อยากให้มีสะพานลอย",
             C.SAFETY, 130, (1, 2, 4), ()),
    DemoIdea("bus", "50", 4, "ขอเพิ่มรอบรถโดยสารประจำทางไปอำเภอแม่แจ่ม",
             "รถโดยสารมีวันละสองเที่ยว นักศึกษาและผู้ป่วยที่ต้องเข้าเมืองลำบากมาก",
             C.OTHER, 120, (1,),
             (("not_possible", 12, "การเพิ่มเที่ยววิ่งเป็นอำนาจของกรมการขนส่งทางบก จังหวัดได้ส่งเรื่องให้สำนักงานขนส่งจังหวัดเชียงใหม่พิจารณาแล้ว"),)),
    DemoIdea("signal", "3500102", 1, "สัญญาณไฟจราจรสี่แยกข่วงสิงห์ไม่ทำงาน",
             "ไฟจราจรกะพริบเหลืองตลอดมาสองสัปดาห์ ช่วงเช้ารถติดและเกือบชนกันบ่อย",
             C.INFRASTRUCTURE, 100, (2,),
             (("already_done", 2, "ซ่อมแผงควบคุมสัญญาณไฟเรียบร้อยแล้วเมื่อสัปดาห์ที่ผ่านมา"),)),
    DemoIdea("trees", "50", 2, "ตัดแต่งกิ่งไม้ริมถนนห้วยแก้วที่พาดสายไฟ",
             "กิ่งไม้ใหญ่ริมถนนห้วยแก้วพาดสายไฟฟ้า ลมแรงเมื่อไรไฟดับทั้งย่าน",
             C.INFRASTRUCTURE, 90, (3,),
             (("refer:3500102", 3, ""), ("under_review", 8, "เทศบาลรับเรื่องแล้ว นัดตัดแต่งร่วมกับการไฟฟ้า"))),
    DemoIdea("haze", "5500107", 3, "ฝุ่นควันจากการเผาไร่ข้าวโพดในอำเภออื่นลอยเข้ามาทุกปี",
             "ช่วงมีนาคมค่าฝุ่นสูงมาก ต้นเหตุคือการเผาในพื้นที่เกษตรนอกเขตตำบล อยากให้จังหวัดแก้ที่ต้นเหตุ",
             C.ENVIRONMENT, 80, (1, 2, 4), (("refer:50", 5, "ต้นเหตุอยู่นอกเขตเทศบาล จึงส่งต่อให้จังหวัดดำเนินการ"),)),
    DemoIdea("road", "50", 1, "ถนนเข้าหมู่บ้านห้วยผาลาดเป็นหลุมบ่อ",
             "ถนนลาดยางเข้าหมู่บ้านห้วยผาลาดชำรุดเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อยช่วงหน้าฝน",
             C.INFRASTRUCTURE, 20, (2, 3),
             (("refer:5500107", 2, "ถนนสายนี้อยู่ในความรับผิดชอบของเทศบาลตำบลสุเทพ จึงส่งต่อให้ดำเนินการ"),)),
    DemoIdea("firewatch", "5500107", 4, "อยากให้มีจุดเฝ้าระวังไฟป่าบนดอยสุเทพ",
             "ทุกปีไฟป่าลามเข้าใกล้หมู่บ้าน อยากให้มีแนวกันไฟและอาสาสมัครเฝ้าระวัง",
             C.ENVIRONMENT, 75, (1, 3), ()),
    DemoIdea("volunteers", "50", 1, "ตั้งเครือข่ายอาสาสมัครดับไฟป่าทุกหมู่บ้าน",
             "ให้ทุกหมู่บ้านที่ติดป่ามีอาสาสมัครที่ผ่านการอบรมและอุปกรณ์ดับไฟเบื้องต้น",
             C.ENVIRONMENT, 70, (2, 3, 4), ()),
    DemoIdea("weirs", "50", 2, "สร้างฝายชะลอน้ำในลุ่มน้ำแม่แตง",
             "หน้าแล้งลำห้วยแห้ง ชาวบ้านอยากร่วมกันสร้างฝายชะลอน้ำแบบมีส่วนร่วม",
             C.WATER, 65, (1, 4), ()),
    DemoIdea("online", "50", 3, "สอนวิสาหกิจชุมชนขายของออนไลน์",
             "กลุ่มแม่บ้านทอผ้าอยากขายผ่านแพลตฟอร์มออนไลน์แต่ไม่มีความรู้เรื่องการถ่ายภาพและการส่งของ",
             C.ECONOMY_JOBS, 60, (2,), ()),
    DemoIdea("parking", "3500102", 4, "ที่จอดรถรอบคูเมืองไม่พอ",
             "นักท่องเที่ยวจอดรถซ้อนคันรอบคูเมือง อยากให้มีอาคารจอดรถและรถรับส่ง",
             C.INFRASTRUCTURE, 40, (1,), (("under_review", 9, "อยู่ระหว่างศึกษาความเป็นไปได้ร่วมกับสำนักงานขนส่ง"),)),
    DemoIdea("sports", "3500102", 3, "ขอลานกีฬาเยาวชนในชุมชนหายยา",
             "เด็กในชุมชนไม่มีที่เล่นกีฬาหลังเลิกเรียน อยากได้ลานบาสเกตบอลเล็ก ๆ",
             C.EDUCATION, 12, (2,), ()),
    DemoIdea("bins", "5500107", 2, "ขอถังขยะแยกประเภทหน้าโรงเรียนบ้านสุเทพ",
             "ถังขยะหน้าโรงเรียนล้นทุกวันและไม่มีการแยกขยะ",
             C.ENVIRONMENT, 5, (), ()),
]


@dataclass
class DemoProposal:
    area: str
    title: str
    cost: int
    item_code: str
    state: ProposalState
    objective: str
    target: str
    kpi: str
    result: str
    unit: str
    ideas: tuple[str, ...] = ()
    fiscal_year: int = 2570
    location: Optional[str] = None
    revised_cost: Optional[int] = None
    # Budget by year when it is spread (otherwise all in the fiscal year).
    spread: dict[int, int] = field(default_factory=dict)


CITY = "3500102"
PROPOSALS = [
    DemoProposal(CITY, "ปรับปรุงทางเท้าและทางลาดสำหรับคนพิการ ถนนท่าแพ", 4_850_000, "1.1.2", P.SHORTLISTED,
                 "ให้ทางเท้าปลอดภัยและใช้ได้ทุกคน รวมถึงผู้ใช้รถเข็นและผู้สูงอายุ",
                 "ปรับปรุงทางเท้า 850 เมตร พร้อมทางลาด 12 จุด", "ผู้ใช้ทางเท้าพึงพอใจไม่น้อยกว่าร้อยละ 80",
                 "ประชาชนและนักท่องเที่ยวเดินทางได้ปลอดภัย ลดอุบัติเหตุ", "กองช่าง เทศบาลนครเชียงใหม่", ("footpath",),
                 location="ถนนท่าแพ ช่วงประตูท่าแพ–วัดแสนฝาง"),
    DemoProposal(CITY, "ติดตั้งไฟฟ้าส่องสว่าง LED และกล้องวงจรปิด ซอยวัดเกตการาม", 1_280_000, "1.2.1", P.SHORTLISTED,
                 "ลดเหตุอาชญากรรมและอุบัติเหตุในซอยที่มืด", "โคมไฟ LED 24 ชุด กล้องวงจรปิด 8 ตัว",
                 "เหตุวิ่งราวทรัพย์ในพื้นที่ลดลงร้อยละ 50", "ชุมชนปลอดภัยยามค่ำคืน", "ฝ่ายป้องกันและบรรเทาสาธารณภัย",
                 ("lights",), location="ซอยวัดเกตการาม ตำบลวัดเกต", revised_cost=1_150_000),
    DemoProposal(CITY, "ขุดลอกและปรับปรุงรางระบายน้ำถนนช้างคลาน", 3_600_000, "1.1.1", P.SHORTLISTED,
                 "แก้ปัญหาน้ำท่วมขังหลังฝนตก", "ขุดลอกราง 1.5 กิโลเมตร เปลี่ยนฝาตะแกรง 60 จุด",
                 "ระยะเวลาน้ำท่วมขังลดลงเหลือไม่เกิน 30 นาที", "การสัญจรและการค้าไม่หยุดชะงักในฤดูฝน",
                 "กองช่างสุขาภิบาล", ("flood",), location="ถนนช้างคลาน ตำบลช้างคลาน"),
    DemoProposal(CITY, "ธนาคารขยะและจุดคัดแยกขยะชุมชนวัดศรีสุพรรณ", 650_000, "4.1.1", P.SHORTLISTED,
                 "ลดปริมาณขยะที่ส่งไปกำจัดและเพิ่มรายได้ให้ชุมชน", "จุดคัดแยก 1 แห่ง สมาชิกธนาคารขยะ 150 ครัวเรือน",
                 "ขยะที่ต้องกำจัดลดลงร้อยละ 20", "ชุมชนมีรายได้จากขยะรีไซเคิลและสะอาดขึ้น", "กองสาธารณสุขและสิ่งแวดล้อม",
                 ("wastebank",)),
    DemoProposal(CITY, "สวนสาธารณะขนาดเล็กริมคลองแม่ข่า ชุมชนกำแพงงาม", 2_900_000, "4.2.1", P.SHORTLISTED,
                 "เพิ่มพื้นที่สีเขียวและที่พักผ่อนของชุมชน", "สวนหย่อม 1.2 ไร่ พร้อมทางเดินและม้านั่ง",
                 "พื้นที่สีเขียวต่อประชากรเพิ่มขึ้น", "เด็กและผู้สูงอายุมีที่ออกกำลังกาย", "กองช่าง เทศบาลนครเชียงใหม่",
                 ("pocketpark",), revised_cost=2_450_000),
    DemoProposal(CITY, "บริการรถรับส่งผู้สูงอายุและผู้ป่วยติดเตียงไปโรงพยาบาล", 980_000, "2.3.1", P.SELECTED,
                 "ให้ผู้สูงอายุที่ไม่มีผู้ดูแลไปพบแพทย์ตามนัดได้", "รถตู้ดัดแปลง 1 คัน บริการ 600 เที่ยวต่อปี",
                 "ผู้สูงอายุพลาดนัดแพทย์ลดลงร้อยละ 70", "ผู้สูงอายุได้รับการรักษาต่อเนื่อง", "กองสวัสดิการสังคม",
                 fiscal_year=2569),
    DemoProposal(CITY, "ปรับปรุงห้องสมุดชุมชนและมุมเรียนรู้ดิจิทัล ชุมชนหัวฝาย", 450_000, "2.2.1", P.IN_PROGRESS,
                 "ให้เด็กและเยาวชนมีที่อ่านหนังสือและใช้อินเทอร์เน็ต", "ห้องสมุด 1 แห่ง คอมพิวเตอร์ 10 เครื่อง",
                 "ผู้ใช้บริการเฉลี่ย 40 คนต่อวัน", "เยาวชนเข้าถึงการเรียนรู้มากขึ้น", "กองการศึกษา", fiscal_year=2569),
    DemoProposal(CITY, "ซ่อมแซมหลังคาศาลาเอนกประสงค์ชุมชนป่าพร้าวนอก", 320_000, "1.1.1", P.COMPLETED,
                 "ให้ชุมชนมีที่ประชุมและจัดกิจกรรมที่ปลอดภัย", "เปลี่ยนหลังคาเมทัลชีท 280 ตารางเมตร",
                 "ศาลาใช้งานได้ตลอดฤดูฝน", "ชุมชนจัดประชุมและกิจกรรมได้", "กองช่าง เทศบาลนครเชียงใหม่", fiscal_year=2569,
                 spread={2568: 120_000, 2569: 200_000}),
    DemoProposal(CITY, "เครื่องฟอกอากาศในศูนย์พัฒนาเด็กเล็ก 12 แห่ง", 1_440_000, "2.1.1", P.FEASIBLE,
                 "ลดการสัมผัสฝุ่น PM2.5 ของเด็กเล็กในช่วงหมอกควัน", "เครื่องฟอกอากาศ 48 เครื่อง ใน 12 ศูนย์",
                 "ค่าฝุ่นในห้องเรียนต่ำกว่า 37.5 มคก./ลบ.ม.", "เด็กเล็กมีสุขภาพดีขึ้น", "กองการศึกษา"),
    DemoProposal(CITY, "สะพานลอยคนข้ามหน้าโรงเรียนริมถนนซุปเปอร์ไฮเวย์", 8_500_000, "1.1.2", P.NOT_FEASIBLE,
                 "ให้นักเรียนข้ามถนนได้ปลอดภัย", "สะพานลอย 1 แห่ง", "ไม่มีอุบัติเหตุคนข้ามถนนหน้าโรงเรียน",
                 "นักเรียนปลอดภัย", "กองช่าง เทศบาลนครเชียงใหม่", ("overpass",)),
    DemoProposal(CITY, "เทศกาลโคมล้านนาชุมชนเมืองเก่า", 750_000, "3.1.1", P.UNDER_ASSESSMENT,
                 "อนุรักษ์ประเพณีและกระจายรายได้สู่ชุมชน", "งานเทศกาล 3 วัน 8 ชุมชน", "ผู้ร่วมงานไม่น้อยกว่า 10,000 คน",
                 "รายได้ชุมชนเพิ่มขึ้น", "กองการท่องเที่ยว"),
    DemoProposal(CITY, "ตลาดนัดสินค้าชุมชนย่านวัวลายทุกวันเสาร์", 380_000, "3.2.1", P.DRAFT,
                 "เพิ่มช่องทางจำหน่ายสินค้าชุมชน", "ตลาดนัด 52 ครั้งต่อปี 80 แผงค้า", "รายได้ผู้ค้าเพิ่มขึ้นร้อยละ 15",
                 "เศรษฐกิจชุมชนคึกคัก", "กองสวัสดิการสังคม"),
    DemoProposal("50", "อบรมเครือข่ายอาสาสมัครเฝ้าระวังไฟป่า 200 หมู่บ้าน", 3_200_000, "3.1.1", P.SHORTLISTED,
                 "ลดการเกิดไฟป่าและหมอกควัน", "อาสาสมัคร 2,000 คน ใน 200 หมู่บ้าน", "จุดความร้อนลดลงร้อยละ 30",
                 "คุณภาพอากาศดีขึ้นในฤดูแล้ง", "สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัดเชียงใหม่", ("volunteers",)),
    DemoProposal("50", "ฝายชะลอน้ำแบบมีส่วนร่วม 30 แห่ง ลุ่มน้ำแม่แตง", 4_500_000, "2.2.1", P.SHORTLISTED,
                 "เก็บกักน้ำและเพิ่มความชุ่มชื้นให้ป่าต้นน้ำ", "ฝายชะลอน้ำ 30 แห่ง", "ลำห้วยมีน้ำไหลเพิ่มขึ้น 2 เดือนต่อปี",
                 "เกษตรกรมีน้ำใช้ในหน้าแล้ง", "สำนักงานโครงการชลประทานเชียงใหม่", ("weirs",)),
    DemoProposal("50", "เครื่องอัดฟางและเศษวัสดุเกษตรแทนการเผา 25 ตำบล", 5_800_000, "3.1.2", P.SHORTLISTED,
                 "ลดการเผาในที่โล่งซึ่งเป็นต้นเหตุฝุ่น PM2.5", "เครื่องอัดฟาง 25 เครื่อง มอบให้วิสาหกิจชุมชน",
                 "พื้นที่เผาไหม้ลดลงร้อยละ 40", "เกษตรกรมีรายได้จากฟางอัดก้อน", "สำนักงานเกษตรจังหวัดเชียงใหม่",
                 ("haze",), revised_cost=5_200_000),
    DemoProposal("50", "พัฒนาผู้ประกอบการผลิตภัณฑ์ชุมชนสู่ตลาดออนไลน์ 300 ราย", 2_100_000, "1.2.1", P.SHORTLISTED,
                 "ให้วิสาหกิจชุมชนขายสินค้าออนไลน์ได้เอง", "ผู้ประกอบการ 300 ราย ผ่านการอบรม",
                 "ยอดขายออนไลน์เพิ่มขึ้นร้อยละ 25", "รายได้ชุมชนเพิ่มขึ้น", "สำนักงานพาณิชย์จังหวัดเชียงใหม่", ("online",)),
    DemoProposal("50", "ยกระดับแหล่งท่องเที่ยวชุมชนบ้านแม่กำปอง", 2_750_000, "1.1.1", P.FEASIBLE,
                 "พัฒนาแหล่งท่องเที่ยวชุมชนตามมาตรฐาน", "ห้องน้ำสาธารณะ ป้ายสื่อความหมาย และจุดชมวิว",
                 "นักท่องเที่ยวเพิ่มขึ้นร้อยละ 20", "ชุมชนมีรายได้เพิ่ม", "สำนักงานการท่องเที่ยวและกีฬาจังหวัดเชียงใหม่"),
    DemoProposal("50", "ระบบดูแลผู้สูงอายุระยะยาวโดยชุมชน", 1_900_000, "4.1.1", P.UNDER_ASSESSMENT,
                 "ให้ผู้สูงอายุที่มีภาวะพึ่งพิงได้รับการดูแลที่บ้าน", "ผู้ดูแล (Caregiver) 120 คน",
                 "ผู้สูงอายุได้รับการเยี่ยมบ้านครบร้อยละ 90", "คุณภาพชีวิตผู้สูงอายุดีขึ้น", "สำนักงานสาธารณสุขจังหวัดเชียงใหม่"),
    DemoProposal("50", "ธนาคารขยะชุมชน 50 แห่ง", 1_000_000, "3.2.1", P.DRAFT,
                 "ส่งเสริมการคัดแยกขยะต้นทาง", "ธนาคารขยะ 50 แห่ง", "ขยะลดลงร้อยละ 15", "ชุมชนสะอาด",
                 "สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัดเชียงใหม่"),
    DemoProposal("5500107", "ปรับปรุงระบบประปาหมู่บ้านห้วยผาลาด", 1_900_000, "1.1.1", P.SHORTLISTED,
                 "ให้ทุกครัวเรือนมีน้ำประปาสะอาดใช้ตลอดปี", "ถังเก็บน้ำ 1 ถัง ท่อเมน 2 กิโลเมตร",
                 "ครัวเรือนมีน้ำใช้ครบร้อยละ 100", "ประชาชนมีน้ำสะอาดใช้", "กองช่าง เทศบาลตำบลสุเทพ"),
    DemoProposal("5500107", "แนวกันไฟและจุดเฝ้าระวังไฟป่าดอยสุเทพ", 600_000, "3.1.1", P.FEASIBLE,
                 "ป้องกันไฟป่าลามเข้าหมู่บ้าน", "แนวกันไฟ 12 กิโลเมตร จุดเฝ้าระวัง 4 จุด",
                 "ไม่มีไฟป่าลามเข้าเขตชุมชน", "หมู่บ้านและป่าต้นน้ำปลอดภัย", "งานป้องกันและบรรเทาสาธารณภัย", ("firewatch",)),
]

# Reasons officials give as proposals move (published with each change).
REASONS = {
    P.UNDER_ASSESSMENT: "ส่งให้ผู้ประเมินตรวจสอบอำนาจหน้าที่ ความเป็นไปได้ทางเทคนิค และราคา",
    P.SHORTLISTED: "ผ่านการประเมินและเข้ารอบให้ประชาชนลงคะแนนงบประมาณแบบมีส่วนร่วม",
    P.SELECTED: "ได้รับคะแนนสนับสนุนสูงและอยู่ในวงเงินงบประมาณ",
    P.IN_PROGRESS: "ลงนามสัญญาจ้างและเริ่มดำเนินการแล้ว",
    P.COMPLETED: "ตรวจรับงานเรียบร้อยแล้ว",
}
ORDER = [P.UNDER_ASSESSMENT, P.FEASIBLE, P.SHORTLISTED, P.SELECTED, P.IN_PROGRESS, P.COMPLETED]


def _resident(n: int):
    return demo_user(f"resident{n}@demo.ruamkhit.th")


def _officer(area_code: str):
    return demo_user(OFFICERS[area_code])


def _find_idea(spec: "DemoIdea"):
    """The idea made from `spec` by an earlier load (its demo key survives referral, edits and merges)."""
    author = _resident(spec.author)
    return recall("proposal-idea", spec.key, Idea,
                  lambda: db.session.scalar(select(Idea).where(Idea.author_id == author.id, Idea.title == spec.title)))


def _submit(spec: DemoIdea) -> tuple[Idea, bool]:
    from app.engagement.services import set_support
    from app.ideas import services as ideas

    area = get_area_by_code(spec.area)
    idea = _find_idea(spec)
    if idea is FORGOTTEN:
        return None, False
    if idea is not None:
        return idea, False
    idea = ideas.submit_idea(_resident(spec.author), area, ideas.IdeaInput(
        title=spec.title, description=spec.description, category=spec.category, subdistrict_code=None,
    ))
    for n in spec.supporters:
        set_support(idea, _resident(n), True)
    remember("proposal-idea", spec.key, idea)
    return idea, True


def _backdate(idea: Idea, days_ago: int, delays: list[int]) -> None:
    """Move a fresh demo idea and its answers into the past (for the response-time figures)."""
    created = utcnow() - timedelta(days=days_ago)
    idea.created_at = idea.updated_at = created
    changes = list(db.session.scalars(
        select(IdeaStatusChange).where(IdeaStatusChange.idea_id == idea.id).order_by(IdeaStatusChange.id)
    ))
    for change, delay in zip(changes, delays):
        change.at = created + timedelta(days=delay, hours=3)
    if changes:
        idea.first_answered_at = changes[0].at
        idea.status_changed_at = changes[-1].at


def _triage(ideas_by_key: dict[str, Idea], fresh: set[str]) -> None:
    for spec in IDEAS:
        if spec.key not in fresh:
            continue
        idea = ideas_by_key[spec.key]
        delays = []
        steps = spec.steps or ((("under_review", 7, "รับเรื่องแล้ว อยู่ระหว่างพิจารณาจัดทำเป็นโครงการ"),) if spec.days_ago > 30 else ())
        for status, delay, answer in steps:
            actor = _officer(idea.area.code)
            if status.startswith("refer:"):
                triage.refer_idea(actor, idea, get_area_by_code(status.split(":", 1)[1]), answer or None)
            elif status.startswith("merge:"):
                target = ideas_by_key.get(status.split(":", 1)[1])
                if target is None:  # an official deleted the demo's target idea
                    continue
                triage.merge_idea(actor, idea, target, answer)
            else:
                triage.change_status(actor, idea, IdeaStatus(status), answer or None)
            delays.append(delay)
        _backdate(idea, spec.days_ago, delays)


def _plan_item(area_id: int, code: str) -> Optional[PlanItem]:
    return db.session.scalar(
        select(PlanItem).join(Plan).where(Plan.area_id == area_id, PlanItem.code == code).order_by(Plan.start_year.desc())
    )


def _proposal(spec: DemoProposal, ideas_by_key: dict[str, Idea]) -> Proposal:
    area = get_area_by_code(spec.area)
    existing = recall("proposal", spec.title, Proposal, lambda: db.session.scalar(
        select(Proposal).where(Proposal.area_id == area.id, Proposal.title == spec.title)))
    if existing is not None:
        return None if existing is FORGOTTEN else existing
    officer = _officer(spec.area)
    item = _plan_item(area.id, spec.item_code)
    years = services.budget_years(item, spec.fiscal_year)
    budget = {y: 0 for y in years}
    if spec.spread:
        budget.update({y: a for y, a in spec.spread.items() if y in budget})
    elif spec.fiscal_year in budget:
        budget[spec.fiscal_year] = spec.cost
    data = services.ProposalData(
        title=spec.title, objective=spec.objective, target_output=spec.target, estimated_cost=spec.cost,
        responsible_unit=spec.unit, kpi=spec.kpi, expected_result=spec.result, fiscal_year=spec.fiscal_year,
        location_text=spec.location, plan_item_id=item.id if item else None, budget=budget,
    )
    ideas = [ideas_by_key[k] for k in spec.ideas if k in ideas_by_key and ideas_by_key[k].area_id == area.id
             and ideas_by_key[k].status in services.JOINABLE_IDEA_STATUSES]
    proposal = services.create_proposal(officer, area, data, ideas)
    remember("proposal", spec.title, proposal)
    target = spec.state
    if target is P.DRAFT:
        return proposal
    evaluator = demo_user(EVALUATOR)
    services.assign_evaluator(officer, proposal, evaluator)
    services.transition(officer, proposal, P.UNDER_ASSESSMENT, REASONS[P.UNDER_ASSESSMENT])
    if target is P.UNDER_ASSESSMENT:
        return proposal
    feasible = target is not P.NOT_FEASIBLE
    services.record_assessment(evaluator, proposal, services.AssessmentData(
        legal_authority_ok=feasible, technically_feasible=True, cost_reasonable=spec.revised_cost is None,
        recommendation=Recommendation.FEASIBLE if feasible else Recommendation.NOT_FEASIBLE,
        summary=("อยู่ในอำนาจหน้าที่ของหน่วยงาน ทำได้ทางเทคนิค และราคาเหมาะสม" if feasible else
                 "ถนนสายนี้เป็นทางหลวงของกรมทางหลวง การก่อสร้างสะพานลอยจึงอยู่นอกอำนาจหน้าที่ของเทศบาล "
                 "ได้ประสานแขวงทางหลวงเชียงใหม่ให้พิจารณาแล้ว"),
        revised_cost=spec.revised_cost,
        notes="ตรวจสอบราคากลางเทียบกับบัญชีราคามาตรฐานงานก่อสร้าง และลงพื้นที่ร่วมกับผู้เสนอแล้ว",
    ))
    for state in ORDER[2:]:
        if proposal.state is target:
            break
        services.transition(officer, proposal, state, REASONS[state])
    return proposal


def load() -> list[Proposal]:
    ctx = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with ctx:
        ideas_by_key: dict[str, Idea] = {}
        fresh: set[str] = set()
        for spec in IDEAS:
            idea, created = _submit(spec)
            if idea is None:
                continue
            ideas_by_key[spec.key] = idea
            if created:
                fresh.add(spec.key)
        db.session.flush()
        _triage(ideas_by_key, fresh)
        proposals = [p for p in (_proposal(spec, ideas_by_key) for spec in PROPOSALS) if p is not None]
        db.session.flush()
    return proposals
