"""Short original sentences written for these tests (not taken from any corpus): one pair per EU-24
language and per look-alike language, about what a town council or a library does."""

from __future__ import annotations

EU24_SENTENCES: dict[str, list[str]] = {
    "bg": ["Общинският съвет реши вчера да построи нова велосипедна алея покрай реката до края на годината.",
           "Библиотеката ще бъде отворена и през почивните дни, за да могат учениците да се подготвят за изпитите."],
    "hr": ["Gradsko vijeće jučer je odlučilo izgraditi novu biciklističku stazu uz rijeku, a radovi počinju tijekom proljeća.",
           "Knjižnica će tijekom zime biti otvorena dulje, kako bi učenici imali toplo i tiho mjesto za učenje."],
    "cs": ["Městské zastupitelstvo včera rozhodlo, že podél řeky vybuduje novou cyklostezku, práce začnou na jaře.",
           "Knihovna bude v zimě otevřena déle, aby studenti měli teplé a klidné místo ke studiu."],
    "da": ["Byrådet besluttede i går at anlægge en ny cykelsti langs åen, og arbejdet går i gang til foråret.",
           "Biblioteket holder længere åbent om vinteren, så eleverne har et varmt og roligt sted at læse lektier."],
    "nl": ["De gemeenteraad heeft gisteren besloten een nieuw fietspad langs de rivier aan te leggen, dat in het voorjaar opengaat.",
           "De bibliotheek blijft in de winter langer open, zodat scholieren een warme en rustige plek hebben om te studeren."],
    "en": ["The town council decided yesterday to build a new cycle path along the river, and work will start in spring.",
           "The library will stay open longer during the winter so that pupils have a warm and quiet place to study."],
    "et": ["Linnavolikogu otsustas eile ehitada jõe äärde uue jalgrattatee ja tööd algavad kevadel.",
           "Raamatukogu on talvel kauem avatud, et õpilastel oleks soe ja vaikne koht õppimiseks."],
    "fi": ["Kaupunginvaltuusto päätti eilen rakentaa uuden pyörätien joen varteen, ja työt alkavat keväällä.",
           "Kirjasto on talvella auki pidempään, jotta oppilailla olisi lämmin ja rauhallinen paikka opiskella."],
    "fr": ["Le conseil municipal a décidé hier de construire une nouvelle piste cyclable le long de la rivière dès le printemps.",
           "La bibliothèque restera ouverte plus longtemps cet hiver afin que les élèves aient un endroit calme pour étudier."],
    "de": ["Der Stadtrat hat gestern beschlossen, einen neuen Radweg entlang des Flusses zu bauen, die Arbeiten beginnen im Frühjahr.",
           "Die Bibliothek bleibt im Winter länger geöffnet, damit die Schüler einen warmen und ruhigen Ort zum Lernen haben."],
    "el": ["Το δημοτικό συμβούλιο αποφάσισε χθες να κατασκευάσει νέο ποδηλατόδρομο κατά μήκος του ποταμού την άνοιξη.",
           "Η βιβλιοθήκη θα μένει ανοιχτή περισσότερες ώρες τον χειμώνα, ώστε οι μαθητές να έχουν ένα ήσυχο μέρος για διάβασμα."],
    "hu": ["A városi közgyűlés tegnap úgy döntött, hogy új kerékpárutat épít a folyó mentén, a munkák tavasszal kezdődnek.",
           "A könyvtár télen tovább lesz nyitva, hogy a diákoknak legyen egy meleg és csendes helyük a tanuláshoz."],
    "ga": ["Shocraigh an chomhairle contae inné go dtógfaí cosán nua rothair cois na habhann, agus tosóidh an obair san earrach.",
           "Beidh an leabharlann ar oscailt níos faide i rith an gheimhridh ionas go mbeidh áit chiúin ag na daltaí chun staidéar a dhéanamh."],
    "it": ["Il consiglio comunale ha deciso ieri di costruire una nuova pista ciclabile lungo il fiume, i lavori inizieranno in primavera.",
           "La biblioteca resterà aperta più a lungo durante l'inverno, così gli studenti avranno un posto caldo e tranquillo per studiare."],
    "lv": ["Pilsētas dome vakar nolēma izbūvēt jaunu veloceliņu gar upi, un darbi sāksies pavasarī.",
           "Bibliotēka ziemā būs atvērta ilgāk, lai skolēniem būtu silta un klusa vieta, kur mācīties."],
    "lt": ["Miesto taryba vakar nusprendė nutiesti naują dviračių taką palei upę, o darbai prasidės pavasarį.",
           "Biblioteka žiemą dirbs ilgiau, kad moksleiviai turėtų šiltą ir ramią vietą mokytis."],
    "mt": ["Il-kunsill lokali ddeċieda lbieraħ li jibni mogħdija ġdida għar-roti ħdejn ix-xmara, u x-xogħol jibda fir-rebbiegħa.",
           "Il-librerija se tibqa' miftuħa għal aktar ħin matul ix-xitwa biex l-istudenti jkollhom post sħun u kwiet fejn jistudjaw."],
    "pl": ["Rada miasta postanowiła wczoraj zbudować nową ścieżkę rowerową wzdłuż rzeki, a prace ruszą wiosną.",
           "Biblioteka będzie zimą otwarta dłużej, aby uczniowie mieli ciepłe i ciche miejsce do nauki."],
    "pt": ["A câmara municipal decidiu ontem construir uma nova ciclovia ao longo do rio, e as obras começam na primavera.",
           "A biblioteca vai ficar aberta até mais tarde durante o inverno, para que os alunos tenham um lugar quente e sossegado para estudar."],
    "ro": ["Consiliul local a hotărât ieri să construiască o nouă pistă de biciclete de-a lungul râului, iar lucrările încep în primăvară.",
           "Biblioteca va rămâne deschisă mai mult pe timpul iernii, pentru ca elevii să aibă un loc cald și liniștit pentru învățat."],
    "sk": ["Mestské zastupiteľstvo včera rozhodlo, že pozdĺž rieky postaví nový cyklochodník, práce sa začnú na jar.",
           "Knižnica bude v zime otvorená dlhšie, aby žiaci mali teplé a tiché miesto na učenie."],
    "sl": ["Občinski svet je včeraj sklenil, da bo ob reki zgradil novo kolesarsko stezo, dela se bodo začela spomladi.",
           "Knjižnica bo pozimi odprta dlje, da bodo imeli učenci topel in miren prostor za učenje."],
    "es": ["El ayuntamiento decidió ayer construir un nuevo carril bici a lo largo del río, y las obras empezarán en primavera.",
           "La biblioteca abrirá más horas durante el invierno para que los alumnos tengan un lugar cálido y tranquilo donde estudiar."],
    "sv": ["Kommunfullmäktige beslutade i går att bygga en ny cykelväg längs ån, och arbetet börjar till våren.",
           "Biblioteket kommer att ha längre öppettider i vinter så att eleverna får en varm och lugn plats att plugga på."],
}  # fmt: skip

# Non-EU languages that pass for an EU one; each must not be labelled with an EU-24 code.
LOOKALIKE_SENTENCES: dict[str, str] = {
    "bs": "Općinsko vijeće je juče odlučilo da izgradi novu biciklističku stazu pored rijeke, a radovi počinju u aprilu. "
          "Historija ovog grada je duga hiljadu godina, i porodice ovdje žive sedmicama bez struje.",
    "sr": "Градско веће је јуче одлучило да изгради нову бициклистичку стазу поред реке, а радови почињу у пролеће.",
    "nb": "Bystyret vedtok i går å bygge en ny sykkelvei langs elva, og arbeidet starter til våren. "
          "Biblioteket holder lenger åpent om vinteren, slik at elevene får et varmt og stille sted å lese.",
    "nn": "Bystyret vedtok i går å byggja ein ny sykkelveg langs elva, og arbeidet tek til i vår. "
          "Biblioteket held ope lenger om vinteren, slik at elevane får ein varm og stille stad å lesa.",
    "ca": "L'ajuntament va decidir ahir construir un nou carril bici al llarg del riu, i les obres començaran a la primavera.",
    "gl": "O concello decidiu onte construír un novo carril bici ao longo do río, e as obras comezarán na primavera. "
          "A biblioteca tamén vai estar aberta máis horas no inverno, para que a xente teña un sitio tranquilo.",
    "mk": "Градскиот совет вчера одлучи да изгради нова велосипедска патека покрај реката, а работите почнуваат напролет.",
    "ru": "Городской совет вчера решил построить новую велосипедную дорожку вдоль реки, работы начнутся весной.",
    "uk": "Міська рада вчора вирішила побудувати нову велосипедну доріжку вздовж річки, роботи почнуться навесні.",
    "is": "Bæjarstjórnin ákvað í gær að leggja nýjan hjólastíg meðfram ánni og framkvæmdir hefjast í vor.",
    "cy": "Penderfynodd y cyngor tref ddoe adeiladu llwybr beicio newydd ar hyd yr afon, a bydd y gwaith yn dechrau yn y gwanwyn.",
    "eu": "Udalak atzo erabaki zuen ibaiaren ondoan bidegorri berri bat eraikitzea, eta lanak udaberrian hasiko dira.",
    "af": "Die stadsraad het gister besluit om 'n nuwe fietspad langs die rivier te bou, en die werk begin in die lente.",
    "la": "Senatus oppidi heri decrevit novam viam birotis iuxta flumen aedificare, et opus vere incipiet.",
    "sq": "Këshilli bashkiak vendosi dje të ndërtojë një shteg të ri për biçikleta përgjatë lumit, dhe punimet nisin në pranverë.",
    "co": "U cunsigliu municipale hà decisu eri di custruisce una nova pista ciclabile longu à u fiume, è i travagli cumincianu "
          "in veranu. Hè una bella nutizia per a ghjente chì ci campa.",
    "oc": "Lo conselh municipal a decidit ièr de bastir una pista ciclabla novèla al long del riu, e los trabalhs començaràn "
          "a la prima. Es una bona novèla per las gents que i vivon, e tanben per aquò que vendràn.",
    "gd": "Cho-dhùin a' chomhairle an-dè slighe rothaireachd ùr a thogail ri taobh na h-aibhne, agus tòisichidh an obair as t-earrach. "
          "Bidh an leabharlann fosgailte nas fhaide tron gheamhradh.",
}  # fmt: skip
